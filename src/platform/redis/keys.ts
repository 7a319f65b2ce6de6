// Every Redis key the store uses, in one place, under one prefix (tests use their own prefix).

export class Keys {
  constructor(readonly prefix: string) {}
  group(groupId: string) {
    return `${this.prefix}group:${groupId}`;
  }
  alert(id: string) {
    return `${this.prefix}alert:${id}`;
  }
  events(id: string) {
    return `${this.prefix}alert:${id}:events`;
  }
  delivery(id: string) {
    return `${this.prefix}alert:${id}:slack`;
  }
  /** Messages the escalation feature sent for an alert: team posts, broadcast DMs, re-pages. */
  sentMessages(id: string) {
    return `${this.prefix}alert:${id}:sent`;
  }
  /** Alerts whose Slack presence may be behind (sorted set, score: the alert version to show). */
  slackPending() {
    return `${this.prefix}slack:pending`;
  }
  /** A rotation's on-call user group as last synced: its id, members, and a counter of sync requests. */
  usergroup(rotationId: string) {
    return `${this.prefix}usergroup:${rotationId}`;
  }
  lock(name: string) {
    return `${this.prefix}lock:${name}`;
  }
  /** Loop guard: start times (sorted set) of one handler's runs on one target of one alert group. */
  remediationRuns(groupId: string, handler: string, target: string) {
    return `${this.prefix}remediation:runs:${groupId}:${handler}:${target}`;
  }
  /** Targets ("group" or fingerprint tokens) whose automatic run an alert has enqueued (set). */
  remediationAuto(alertId: string) {
    return `${this.prefix}remediation:auto:${alertId}`;
  }
  /** Numbers the manual runs of an alert (counter). */
  remediationManualSeq(alertId: string) {
    return `${this.prefix}remediation:manual:${alertId}`;
  }
  /** Set once the thread has said that the loop guard stopped a handler for this alert. */
  remediationGuardNoted(alertId: string, handler: string, target: string) {
    return `${this.prefix}remediation:guard-noted:${alertId}:${handler}:${target}`;
  }
  openByRotation(rotationId: string) {
    return `${this.prefix}open:rotation:${rotationId}`;
  }
  openByTeam(teamId: string | null) {
    return `${this.prefix}open:team:${teamId ?? "_unrouted"}`;
  }
  alertsByTime() {
    return `${this.prefix}alerts:by-time`;
  }
  /** Report digests of the alerts created on one UTC day ("2026-11-25"): hash, alert id -> digest. */
  alertDigests(day: string) {
    return `${this.prefix}alerts:digests:${day}`;
  }
  /** Silences made from Slack (sorted set by creation ms; members are JSON): the noise report's input. */
  silenceLog() {
    return `${this.prefix}silences:log`;
  }
  overrides() {
    return `${this.prefix}overrides`;
  }
  overrideSeq() {
    return `${this.prefix}overrides:seq`;
  }
  ejections() {
    return `${this.prefix}ejections`;
  }
  ejectionLog() {
    return `${this.prefix}ejections:log`;
  }
  /** What the shift-change announcement of one hand-off has posted (hash: channel, dm). */
  handoff(rotationId: string, atMs: number) {
    return `${this.prefix}handoff:${rotationId}:${atMs}`;
  }
  /** Users who have opened the Home tab: it is republished for them when their alerts change. */
  homeViewers() {
    return `${this.prefix}home:viewers`;
  }
  /** INCR counter behind incident numbers (INC-<n>). */
  incidentSeq() {
    return `${this.prefix}incidents:seq`;
  }
  /** Hash: v (version), doc (the incident's JSON). */
  incident(id: string) {
    return `${this.prefix}incident:${id}`;
  }
  /** Hash: v, doc (the postmortem's JSON). */
  postmortem(incidentId: string) {
    return `${this.prefix}incident:${incidentId}:postmortem`;
  }
  /** Sorted set of incident ids by declaredAt (ms). */
  incidentsByTime() {
    return `${this.prefix}incidents:by-time`;
  }
  incidentsOpen() {
    return `${this.prefix}incidents:open`;
  }
  /** The incident a retried declaration (same modal submission) already created. */
  incidentDeclared(requestId: string) {
    return `${this.prefix}incidents:declared:${requestId}`;
  }
  /** Set once the weekly review of an ISO week ("2026-W48") is posted (value: channel and ts). */
  reviewPosted(week: string) {
    return `${this.prefix}review:posted:${week}`;
  }
  /** Set just before the review is posted: a retry after a crash looks the message up first. */
  reviewClaim(week: string) {
    return `${this.prefix}review:claim:${week}`;
  }
  /** When the last weekly review was due (ISO): the agenda covers what came after. */
  reviewLast() {
    return `${this.prefix}review:last`;
  }
}
