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
  lock(name: string) {
    return `${this.prefix}lock:${name}`;
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
}
