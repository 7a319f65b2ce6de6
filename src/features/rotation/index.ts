// The rotation: who is on call, the schedule and overrides (rules.ts), shift-change posts, the Home
// tab and the calendar feed.

export { calendarFeature } from "./calendar";
export { oncallCommandsFeature } from "./commands";
export { homeFeature } from "./home";
export { overrideChangeFeature } from "./override-change";
export { shiftChangeFeature } from "./shift-change";
