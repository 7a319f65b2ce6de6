// Remediation: the runbook's handlers, offered on the page and run by a worker (rules.ts decides
// what may run).

export { remediationFeature } from "./jobs";
