// Incidents: declaring one, blameless postmortems, the weekly review and the ops report.

export { incidentFeature } from "./commands";
export { reviewFeature } from "./review";
