// The loader proper: reads schedules/ and runbooks/ under one directory, validates everything,
// and either returns the frozen config or throws one ConfigError listing every problem found.

import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { OncallConfig, Rotation, Runbook } from "../core/config";
import { ConfigError, type ConfigIssue } from "./errors";
import { listFiles, readText } from "./files";
import { deepFreeze } from "./freeze";
import { type HandlerMap, readRunbooks } from "./read-runbooks";
import { checkReferences } from "./references";
import { heartbeatsFile, reviewFile, rotationFile, servicesFile, teamsFile } from "./schema";
import { parseYaml, type YamlSource } from "./yaml-source";
import { validate } from "./zod-issues";

export type { HandlerMap } from "./read-runbooks";

const TEAMS = "schedules/teams.yaml";
const SERVICES = "schedules/services.yaml";
const ROTATIONS = "schedules/rotations";
const REVIEW = "schedules/review.yaml";
const HEARTBEATS = "schedules/heartbeats.yaml";
/** The alert name of a missed heartbeat's page (features/heartbeats). */
const HEARTBEAT_RUNBOOK = "HeartbeatMissed";

function readYaml(root: string, file: string, whenMissing: string, issues: ConfigIssue[]): YamlSource | null {
  const read = readText(root, file, whenMissing);
  if (!read.ok) {
    issues.push(read.issue);
    return null;
  }
  const parsed = parseYaml(file, read.text);
  if (!parsed.ok) {
    issues.push(...parsed.issues);
    return null;
  }
  return parsed.source;
}

function check<T>(
  result: { ok: true; value: T } | { ok: false; issues: ConfigIssue[] },
  issues: ConfigIssue[],
) {
  if (result.ok) return result.value;
  issues.push(...result.issues);
  return null;
}

// Files in the order a person reads the config; issues are reported in this order, then by line.
function fileRank(file: string): number {
  if (file === TEAMS) return 0;
  if (file === SERVICES) return 1;
  if (file.startsWith(`${ROTATIONS}`)) return 2;
  if (file === REVIEW || file === HEARTBEATS) return 3;
  if (file.startsWith("runbooks/")) return 4;
  return 5;
}

function byLocation(a: ConfigIssue, b: ConfigIssue): number {
  return fileRank(a.file) - fileRank(b.file) || a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0);
}

/** Like `loadConfig`, with the handler registry passed in (the config module does not pick one). */
export function readConfig(dir: string, handlers: HandlerMap): OncallConfig {
  const root = resolve(dir);
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
    throw new ConfigError([
      {
        file: ".",
        line: null,
        field: "",
        message: `config directory ${root} does not exist; point ONCALL_CONFIG_DIR (or --config) at the directory holding schedules/ and runbooks/`,
      },
    ]);
  }
  const issues: ConfigIssue[] = [];

  const teamsSource = readYaml(root, TEAMS, "file not found; define the teams here (see DESIGN.md)", issues);
  const teams = teamsSource && check(validate(teamsFile, teamsSource), issues);

  const servicesSource = readYaml(
    root,
    SERVICES,
    "file not found; define fallback_rotation and the services here",
    issues,
  );
  const services = servicesSource && check(validate(servicesFile, servicesSource), issues);

  const rotationNames = listFiles(root, ROTATIONS, /\.ya?ml$/) ?? [];
  if (rotationNames.length === 0) {
    issues.push({
      file: `${ROTATIONS}/`,
      line: null,
      field: "",
      message: `no rotation files; add one rotation per file, e.g. ${ROTATIONS}/merged.yaml`,
    });
  }
  const rotationSources: YamlSource[] = [];
  const rotations: (Rotation | null)[] = [];
  for (const name of rotationNames) {
    const source = readYaml(root, `${ROTATIONS}/${name}`, "file not found", issues);
    if (!source) continue;
    rotationSources.push(source);
    rotations.push(check(validate(rotationFile, source), issues));
  }

  const reviewExists = statSync(resolve(root, REVIEW), { throwIfNoEntry: false }) !== undefined;
  const reviewSource = reviewExists ? readYaml(root, REVIEW, "file not found", issues) : null;
  const review = reviewSource && check(validate(reviewFile, reviewSource), issues);

  const heartbeatsExist = statSync(resolve(root, HEARTBEATS), { throwIfNoEntry: false }) !== undefined;
  const heartbeatsSource = heartbeatsExist ? readYaml(root, HEARTBEATS, "file not found", issues) : null;
  const heartbeats = heartbeatsSource && check(validate(heartbeatsFile, heartbeatsSource), issues);

  const runbooks = readRunbooks(root, handlers);
  issues.push(...runbooks.issues);

  issues.push(
    ...checkReferences({
      teams: teamsSource,
      services: servicesSource,
      rotations: rotationSources,
      rotationsComplete: rotationNames.length > 0 && rotationSources.length === rotationNames.length,
      runbooks: runbooks.alerts,
      heartbeats: heartbeatsSource,
    }),
  );

  // A missed heartbeat pages like any alert, so it needs its runbook entry (the first rule of pages).
  if (heartbeatsSource && heartbeats && heartbeats.length > 0) {
    if (!runbooks.alerts.some((r) => r.alert === HEARTBEAT_RUNBOOK)) {
      issues.push({
        file: HEARTBEATS,
        line: heartbeatsSource.lineAt(["heartbeats"]),
        field: "heartbeats",
        message: `a missed heartbeat pages as alert ${HEARTBEAT_RUNBOOK}, which has no runbook entry; add runbooks/${HEARTBEAT_RUNBOOK}.md (copy the example's)`,
      });
    }
  }

  if (issues.length > 0 || !teams || !services) throw new ConfigError(issues.sort(byLocation));

  // Keyed lookups by alert name must not find Object.prototype members ("toString").
  const byAlert: Record<string, Runbook> = Object.create(null);
  for (const runbook of runbooks.runbooks) byAlert[runbook.alert] = runbook;

  return deepFreeze({
    dir: root,
    teams: teams.teams,
    services: services.services,
    fallbackRotation: services.fallbackRotation,
    rotations: rotations.filter((r): r is Rotation => r !== null),
    runbooks: byAlert,
    review: review ?? null,
    heartbeats: heartbeats ?? [],
  });
}
