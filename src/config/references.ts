// Rules that span files: ids are unique, references resolve, and every team in a merged rotation
// gives it at least one engineer. They read the raw YAML data leniently, so a malformed field in
// one entry (already reported by the schemas) does not hide a broken reference in another.

import type { ConfigIssue } from "./errors";
import { hint } from "./suggest";
import type { Path, YamlSource } from "./yaml-source";
import { formatPath } from "./zod-issues";

type Entry = { readonly index: number; readonly value: Record<string, unknown> };

function record(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function entries(value: unknown): Entry[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item, index) => {
    const value = record(item);
    return value ? [{ index, value }] : [];
  });
}

/** A list's string items with their positions (malformed items are skipped, not renumbered). */
function strings(value: unknown): { index: number; text: string }[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item, index) => (typeof item === "string" ? [{ index, text: item }] : []));
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

export interface ReferenceInputs {
  /** Null when the file is missing or is not valid YAML: references into it are then not judged. */
  readonly teams: YamlSource | null;
  readonly services: YamlSource | null;
  readonly rotations: readonly YamlSource[];
  /** False when some rotation file could not be read, so an unknown rotation id may be in it. */
  readonly rotationsComplete: boolean;
  readonly runbooks: readonly {
    readonly file: string;
    readonly alert: string;
    readonly line: number | null;
  }[];
  /** schedules/heartbeats.yaml; null or absent when there is none. */
  readonly heartbeats?: YamlSource | null;
}

/** Where each value was first seen, so a repeat can name the entry it repeats. */
class Seen<T> {
  private readonly first = new Map<string, T>();
  /** Records `key` at `at`; when it was seen before, calls `repeated` with that place and returns false. */
  add(key: string | null, at: T, repeated: (first: T, key: string) => void): boolean {
    if (key === null) return false;
    const first = this.first.get(key);
    if (first !== undefined) {
      repeated(first, key);
      return false;
    }
    this.first.set(key, at);
    return true;
  }
  keys(): IterableIterator<string> {
    return this.first.keys();
  }
}

/** "team id "a" is already used by teams[0]; team ids must be unique" */
function alreadyUsed(what: string, value: string, where: string): string {
  return `${what} ${JSON.stringify(value)} is already used by ${where}; ${what}s must be unique`;
}

function unknownRotation(rotationId: string, rotationIds: Set<string>): string {
  return `rotation ${JSON.stringify(rotationId)} is not defined in schedules/rotations/${hint(rotationId, [...rotationIds], "rotations")}`;
}

class Issues {
  readonly list: ConfigIssue[] = [];
  at(source: YamlSource, path: Path, message: string): void {
    this.list.push({ file: source.file, line: source.lineAt(path), field: formatPath(path), message });
  }
}

interface TeamInfo {
  readonly members: readonly string[];
}

/** What the other files define; null where it cannot be judged (unreadable or incomplete). */
interface Known {
  readonly teams: Map<string, TeamInfo> | null;
  readonly teamsFile: string;
  readonly rotationIds: Set<string> | null;
}

function checkTeams(source: YamlSource, issues: Issues): Map<string, TeamInfo> {
  const teams = new Map<string, TeamInfo>();
  const ids = new Seen<number>();
  for (const { index, value } of entries(record(source.data)?.teams)) {
    const teamId = text(value.id);
    if (teamId === null) continue;
    const unique = ids.add(teamId, index, (first) =>
      issues.at(source, ["teams", index, "id"], alreadyUsed("team id", teamId, `teams[${first}]`)),
    );
    if (unique) teams.set(teamId, { members: strings(value.members).map((m) => m.text) });
  }
  return teams;
}

function unknownTeam(teamId: string, teams: Map<string, TeamInfo>, teamsFile: string): string {
  return `team ${JSON.stringify(teamId)} is not defined in ${teamsFile}${hint(teamId, [...teams.keys()], "teams")}`;
}

function checkRotationIds(inputs: ReferenceInputs, issues: Issues): Set<string> {
  const seen = new Seen<string>();
  for (const source of inputs.rotations) {
    const rotationId = text(record(source.data)?.id);
    seen.add(rotationId, source.file, (other, id) =>
      issues.at(source, ["id"], alreadyUsed("rotation id", id, other)),
    );
  }
  return new Set(seen.keys());
}

/** Two rotations sharing a user group would each keep replacing the other's on-call engineer. */
function checkUsergroups(inputs: ReferenceInputs, issues: Issues): void {
  const seen = new Seen<string>();
  for (const source of inputs.rotations) {
    const data = record(source.data);
    for (const field of ["usergroup", "usergroup_handle"] as const) {
      seen.add(text(data?.[field]), source.file, (other, group) =>
        issues.at(
          source,
          [field],
          `user group ${JSON.stringify(group)} is already the on-call group of ${other}; give each rotation its own`,
        ),
      );
    }
  }
}

function checkServices(source: YamlSource, known: Known, issues: Issues): void {
  const { teams, teamsFile, rotationIds } = known;
  const data = record(source.data);
  const fallback = text(data?.fallback_rotation);
  if (fallback !== null && rotationIds !== null && !rotationIds.has(fallback)) {
    issues.at(source, ["fallback_rotation"], unknownRotation(fallback, rotationIds));
  }

  const ids = new Seen<number>();
  const matchers = new Seen<number>();
  for (const { index, value } of entries(data?.services)) {
    const serviceId = text(value.id);
    ids.add(serviceId, index, (first, id) =>
      issues.at(source, ["services", index, "id"], alreadyUsed("service id", id, `services[${first}]`)),
    );

    const owner = text(value.team);
    if (owner !== null && teams !== null && !teams.has(owner)) {
      issues.at(source, ["services", index, "team"], unknownTeam(owner, teams, teamsFile));
    }

    // Two services with identical matchers would make routing depend on file order.
    const match = record(value.match);
    if (match && Object.keys(match).length > 0) {
      const key = JSON.stringify(Object.entries(match).sort(([a], [b]) => a.localeCompare(b)));
      matchers.add(key, index, (first) =>
        issues.at(
          source,
          ["services", index, "match"],
          `has the same labels as services[${first}], so an alert could belong to either; make one of them more specific`,
        ),
      );
    }
  }
}

function checkRotation(source: YamlSource, known: Known, issues: Issues): void {
  const { teams, teamsFile } = known;
  const data = record(source.data);
  if (data === null) return;
  const rotationId = text(data.id) ?? source.file;
  const rotationTeams = strings(data.teams);
  const inRotation = new Set(rotationTeams.map((t) => t.text));

  if (teams !== null) {
    for (const { index, text: teamId } of rotationTeams) {
      if (!teams.has(teamId)) issues.at(source, ["teams", index], unknownTeam(teamId, teams, teamsFile));
    }
  }

  const given = new Set<string>();
  const users = new Seen<number>();
  for (const { index, value } of entries(data.participants)) {
    const user = text(value.user);
    const teamId = text(value.team);
    users.add(user, index, (first) =>
      issues.at(
        source,
        ["participants", index, "user"],
        `user ${user} is already in this rotation at participants[${first}]; list each engineer once`,
      ),
    );
    if (teamId === null) continue;
    given.add(teamId);
    if (teams !== null && !teams.has(teamId)) {
      issues.at(source, ["participants", index, "team"], unknownTeam(teamId, teams, teamsFile));
      continue;
    }
    if (!inRotation.has(teamId)) {
      issues.at(
        source,
        ["participants", index, "team"],
        `team ${JSON.stringify(teamId)} is not one of this rotation's teams [${[...inRotation].join(", ")}]; add it to teams or correct the participant's team`,
      );
    }
    const members = teams?.get(teamId)?.members;
    if (user !== null && members !== undefined && !members.includes(user)) {
      issues.at(
        source,
        ["participants", index, "user"],
        `user ${user} is not a member of team ${JSON.stringify(teamId)} (members: ${members.join(", ")}); add them to its members in ${teamsFile} or correct the participant`,
      );
    }
  }

  // The first rule of a merged rotation: every team that pools its on-call gives someone to it.
  for (const { index, text: teamId } of rotationTeams) {
    if (given.has(teamId) || (teams !== null && !teams.has(teamId))) continue;
    const members = teams?.get(teamId)?.members ?? [];
    const candidates = members.length > 0 ? ` (members: ${members.join(", ")})` : "";
    issues.at(
      source,
      ["teams", index],
      `team ${JSON.stringify(teamId)} gives no engineer to rotation ${JSON.stringify(rotationId)}: add a participant { user: <member of ${teamId}>, team: ${teamId} } to ${source.file}${candidates}`,
    );
  }
}

function checkHeartbeats(source: YamlSource, known: Known, issues: Issues): void {
  const { teams, teamsFile, rotationIds } = known;
  const names = new Seen<number>();
  const alertnames = new Seen<number>();
  for (const { index, value } of entries(record(source.data)?.heartbeats)) {
    const name = text(value.name);
    names.add(name, index, (first, id) =>
      issues.at(
        source,
        ["heartbeats", index, "name"],
        alreadyUsed("heartbeat name", id, `heartbeats[${first}]`),
      ),
    );
    // One alert pinging two heartbeats would keep both alive when only one sender is up.
    const alertname = text(value.alertname);
    alertnames.add(alertname, index, (first) =>
      issues.at(
        source,
        ["heartbeats", index, "alertname"],
        `alert ${JSON.stringify(alertname)} already pings heartbeats[${first}]; give each heartbeat its own always-firing alert`,
      ),
    );
    const rotation = text(value.rotation);
    if (rotation !== null && rotationIds !== null && !rotationIds.has(rotation)) {
      issues.at(source, ["heartbeats", index, "rotation"], unknownRotation(rotation, rotationIds));
    }
    const team = text(value.team);
    if (team !== null && teams !== null && !teams.has(team)) {
      issues.at(source, ["heartbeats", index, "team"], unknownTeam(team, teams, teamsFile));
    }
  }
}

export function checkReferences(inputs: ReferenceInputs): ConfigIssue[] {
  const issues = new Issues();
  const teamsFile = inputs.teams?.file ?? "schedules/teams.yaml";
  // Without a readable teams list every reference would look broken; the schema error says why.
  const teams =
    inputs.teams && Array.isArray(record(inputs.teams.data)?.teams) ? checkTeams(inputs.teams, issues) : null;
  const rotationIds = checkRotationIds(inputs, issues);
  checkUsergroups(inputs, issues);
  const known: Known = { teams, teamsFile, rotationIds: inputs.rotationsComplete ? rotationIds : null };
  if (inputs.services) checkServices(inputs.services, known, issues);
  for (const rotation of inputs.rotations) checkRotation(rotation, known, issues);
  if (inputs.heartbeats) checkHeartbeats(inputs.heartbeats, known, issues);

  const alerts = new Seen<string>();
  for (const runbook of inputs.runbooks) {
    alerts.add(runbook.alert, runbook.file, (other) =>
      issues.list.push({
        file: runbook.file,
        line: runbook.line,
        field: "alert",
        message: `alert ${JSON.stringify(runbook.alert)} already has a runbook entry in ${other}; keep one entry per alert`,
      }),
    );
  }
  return issues.list;
}
