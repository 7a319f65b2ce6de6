// `npm run config:check`: validate a config directory without starting the bot and, given Prometheus
// rule files, list the alerts that have no runbook entry. The CLI wrapper only prints and exits.

import { join, relative, resolve } from "node:path";
import { ConfigError, formatIssue } from "./errors";
import { listFiles } from "./files";
import { loadConfig } from "./load";
import { readAlertRules } from "./prometheus-rules";
import type { HandlerMap } from "./read";

export const USAGE = `usage: npm run config:check -- [--config DIR] [--prometheus-rules FILE ...]

  --config DIR               directory holding schedules/ and runbooks/
                             (default: $ONCALL_CONFIG_DIR, else the current directory)
  --prometheus-rules FILE …  Prometheus rule files; every alert rule must have a runbook entry
  -h, --help                 show this help`;

export interface CheckResult {
  /** 0 ok, 1 problems found, 2 bad usage. */
  readonly exitCode: 0 | 1 | 2;
  readonly lines: readonly string[];
}

export interface CheckOptions {
  readonly handlers?: HandlerMap;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Base for relative paths; defaults to process.cwd(). */
  readonly cwd?: string;
}

interface Args {
  readonly config: string | null;
  readonly rules: readonly string[];
  readonly help: boolean;
}

function parseArgs(args: readonly string[]): Args | string {
  let config: string | null = null;
  const rules: string[] = [];
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    if (flag === "-h" || flag === "--help") help = true;
    else if (flag === "--config") {
      const value = inline ?? args[++i];
      if (value === undefined || value === "" || value.startsWith("-")) return "--config needs a directory";
      config = value;
    } else if (flag === "--prometheus-rules") {
      const files: string[] = inline !== undefined && inline !== "" ? [inline] : [];
      while (inline === undefined && i + 1 < args.length && !args[i + 1]!.startsWith("-"))
        files.push(args[++i]!);
      if (files.length === 0) return "--prometheus-rules needs at least one file";
      rules.push(...files);
    } else return `unknown argument ${JSON.stringify(arg)}`;
  }
  return { config, rules, help };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** Alert names with an entry: from the loaded config, or from file names when the config is broken. */
function runbookAlerts(root: string, loaded: ReadonlySet<string> | null): ReadonlySet<string> {
  if (loaded) return loaded;
  const names = listFiles(root, "runbooks", /\.md$/) ?? [];
  return new Set(names.map((name) => name.slice(0, -".md".length)));
}

export function checkConfig(args: readonly string[], options: CheckOptions = {}): CheckResult {
  const parsed = parseArgs(args);
  if (typeof parsed === "string") return { exitCode: 2, lines: [`config:check: ${parsed}`, USAGE] };
  if (parsed.help) return { exitCode: 0, lines: [USAGE] };

  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const root = resolve(cwd, parsed.config ?? env.ONCALL_CONFIG_DIR ?? ".");
  const lines: string[] = [];
  let summary = "";
  let alerts: ReadonlySet<string> | null = null;

  try {
    const config = loadConfig(root, options.handlers ? { handlers: options.handlers } : {});
    alerts = new Set(Object.keys(config.runbooks));
    summary =
      `config ok: ${plural(config.teams.length, "team")}, ${plural(config.services.length, "service")}, ` +
      `${plural(config.rotations.length, "rotation")}, ${plural(alerts.size, "runbook")} (${root})`;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    lines.push(...error.issues.map(formatIssue));
  }

  let ruleCount = 0;
  const covered = runbookAlerts(root, alerts);
  for (const file of parsed.rules) {
    const result = readAlertRules(resolve(cwd, file));
    if (!result.ok) {
      for (const problem of result.problems) {
        lines.push(`${problem.line === null ? file : `${file}:${problem.line}`}: ${problem.message}`);
      }
      continue;
    }
    const reported = new Set<string>();
    for (const rule of result.rules) {
      ruleCount++;
      if (covered.has(rule.alert) || reported.has(rule.alert)) continue;
      reported.add(rule.alert);
      const entry = relative(cwd, join(root, "runbooks", `${rule.alert}.md`));
      const where = rule.line === null ? file : `${file}:${rule.line}`;
      lines.push(`${where}: alert ${JSON.stringify(rule.alert)} has no runbook entry; add ${entry}`);
    }
  }

  if (lines.length > 0) {
    lines.push(`config:check found ${plural(lines.length, "problem")} (${root})`);
    return { exitCode: 1, lines };
  }
  const rulesSummary =
    parsed.rules.length > 0
      ? [
          `prometheus rules ok: ${plural(ruleCount, "alert rule")} in ${plural(parsed.rules.length, "file")}, each with a runbook entry`,
        ]
      : [];
  return { exitCode: 0, lines: [summary, ...rulesSummary] };
}
