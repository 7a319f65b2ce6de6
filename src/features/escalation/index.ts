// Escalation: the timers that re-page and escalate, the team broadcast, the Escalate modal. The
// hand-off and escalation rules are in rules.ts; the buttons that press them are paging's.

export { escalationFeature } from "./jobs";
