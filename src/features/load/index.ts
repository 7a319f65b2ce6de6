// Ops load: the noise and load reports, and ejecting a team from its rotation (rules.ts) and back.

export { opsLoadFeature } from "./commands";
