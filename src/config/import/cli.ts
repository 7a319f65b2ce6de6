// `npm run import -- <opsgenie|pagerduty|grafana-oncall> <export.json> [options]`: reads a saved
// export, matches people to Slack, writes schedules/ and runs config:check on the result. The report
// lists everything the bot's model could not take and everything left to fill in.

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createSlackClient } from "../../platform/slack/api";
import { checkConfig } from "../check";
import { buildConfig, rotationFile } from "./build";
import { grafanaSource, parseGrafanaOncall } from "./grafana-oncall";
import { opsgenieSource, parseOpsgenie } from "./opsgenie";
import { pagerdutySource, parsePagerduty } from "./pagerduty";
import {
  type ApiCaller,
  type Lookup,
  parseChannels,
  parseMapping,
  peopleInUse,
  resolvePeople,
  slackLookup,
} from "./people";
import { ImportError, PRODUCT_NAMES, type Product, type SourceOrg } from "./source";
import { formatReport, writeConfig } from "./write";

export const USAGE = `usage: npm run import -- <opsgenie|pagerduty|grafana-oncall> <export.json> [options]

  --out DIR          write DIR/schedules/ (default: the current directory)
  --people FILE      YAML mapping of email to Slack user id (alice@example.com: U01AAA);
                     people not in it are looked up with users.lookupByEmail when
                     SLACK_BOT_TOKEN is set (scope users:read.email; SLACK_API_URL for another endpoint)
  --channels FILE    YAML mapping of team or rotation id to Slack channel id (payments: C0PAYMENTS)
  --merge            pool every team into one rotation "merged" (the bot's model) instead of
                     one rotation per schedule
  --force            overwrite an existing schedules/teams.yaml, services.yaml and same-named rotations
  -h, --help         show this help

See README, "Coming from Opsgenie / Grafana OnCall / PagerDuty", for how to save each export.`;

/** Each product's export, parsed and turned into the source model the builder reads. */
export const PRODUCTS: Readonly<Record<Product, (data: unknown, file: string) => SourceOrg>> = {
  opsgenie: (data, file) => opsgenieSource(parseOpsgenie(data, file)),
  pagerduty: (data, file) => pagerdutySource(parsePagerduty(data, file)),
  "grafana-oncall": (data, file) => grafanaSource(parseGrafanaOncall(data, file)),
};

export interface ImportRun {
  /** 0 written and config:check passes; 1 written with things to fill in, or failed; 2 bad usage. */
  readonly exitCode: 0 | 1 | 2;
  readonly lines: readonly string[];
  /** Usage errors and failed imports go to stderr; a written result's report to stdout. */
  readonly toStderr?: boolean;
}

export interface ImportOptions {
  readonly now?: Date;
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Replaces the Slack Web API client (tests pace it with a fake clock). */
  readonly lookup?: Lookup;
}

interface Args {
  product: Product;
  file: string;
  out: string;
  people: string | null;
  channels: string | null;
  merge: boolean;
  force: boolean;
}

function parseArgs(args: readonly string[]): Args | "help" | string {
  const positional: string[] = [];
  const flags: Omit<Args, "product" | "file"> = {
    out: ".",
    people: null,
    channels: null,
    merge: false,
    force: false,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined || v === "" || v.startsWith("-")) throw new ImportError(`${flag} needs a value`);
      return v;
    };
    if (flag === "-h" || flag === "--help") return "help";
    else if (flag === "--out") flags.out = value();
    else if (flag === "--people") flags.people = value();
    else if (flag === "--channels") flags.channels = value();
    else if (flag === "--merge") flags.merge = true;
    else if (flag === "--force") flags.force = true;
    else if (arg.startsWith("-")) return `unknown option ${JSON.stringify(arg)}`;
    else positional.push(arg);
  }
  const [product, file, ...rest] = positional;
  if (product === undefined || file === undefined) return "name the product and the export file";
  if (!(product in PRODUCTS)) {
    return `unknown product ${JSON.stringify(product)}; use one of ${Object.keys(PRODUCTS).join(", ")}`;
  }
  if (rest.length > 0) return `unexpected argument ${JSON.stringify(rest[0])}`;
  return { product: product as Product, file, ...flags };
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ImportError(`${path}: cannot read the ${what} (${code === "ENOENT" ? "no such file" : code})`);
  }
}

function readJson(path: string, shown: string): unknown {
  const text = readText(path, "export");
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ImportError(
      `${shown}: not valid JSON (${(err as Error).message}); save the API responses as described in README`,
    );
  }
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

export async function runImport(argv: readonly string[], options: ImportOptions = {}): Promise<ImportRun> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (err instanceof ImportError)
      return { exitCode: 2, lines: [`import: ${err.message}`, USAGE], toStderr: true };
    throw err;
  }
  if (args === "help") return { exitCode: 0, lines: [USAGE] };
  if (typeof args === "string") return { exitCode: 2, lines: [`import: ${args}`, USAGE], toStderr: true };

  try {
    const exportPath = resolve(cwd, args.file);
    const org = PRODUCTS[args.product](readJson(exportPath, args.file), args.file);
    const mapping = args.people
      ? parseMapping(readText(resolve(cwd, args.people), "people mapping"), args.people)
      : new Map();
    const channels = args.channels
      ? parseChannels(readText(resolve(cwd, args.channels), "channel mapping"), args.channels)
      : new Map();

    const token = env.SLACK_BOT_TOKEN;
    const lookup =
      options.lookup ??
      (token
        ? slackLookup(createSlackClient(token, env.SLACK_API_URL ?? null) as unknown as ApiCaller)
        : null);
    const resolved = await resolvePeople(peopleInUse(org), mapping, lookup);

    const result = buildConfig(org, {
      now: options.now ?? new Date(),
      slackIds: resolved.slackIds,
      channels,
      merge: args.merge,
    });

    const outDir = resolve(cwd, args.out);
    const files = writeConfig(result, args.file);
    const teamsPath = join(outDir, "schedules", "teams.yaml");
    if (existsSync(teamsPath) && !args.force) {
      throw new ImportError(
        `${relative(cwd, teamsPath) || teamsPath} already exists; pass --out to write elsewhere, or --force to overwrite`,
      );
    }
    for (const [file, text] of files) {
      const path = join(outDir, file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
    const written = new Set(result.rotations.map((r) => `${r.id}.yaml`));
    const leftOver = readdirSync(join(outDir, "schedules", "rotations")).filter(
      (n) => /\.ya?ml$/.test(n) && !written.has(n),
    );

    const product = PRODUCT_NAMES[args.product];
    const c = resolved.counts;
    const lines = [
      `Imported ${product} (${args.file}) into ${join(relative(cwd, outDir) || ".", "schedules")}/: ` +
        `${plural(result.teams.length, "team")}, ${plural(result.rotations.length, "rotation")} ` +
        `(${result.rotations.map((r) => rotationFile(r.id).slice("schedules/".length)).join(", ")})`,
      `People matched to Slack: ${c.mapping} by the mapping file, ${c.export} from the export, ${c.lookup} by users.lookupByEmail, ${c.none} not matched` +
        (c.none > 0 && !lookup ? " (set SLACK_BOT_TOKEN to look them up, or list them in --people)" : ""),
      ...leftOver.map(
        (n) => `schedules/rotations/${n} was already there and is kept: delete it unless it is meant to stay`,
      ),
      "",
      ...formatReport(result.notes),
      "",
    ];
    const check = checkConfig(["--config", outDir], { cwd, env: {} });
    if (check.exitCode === 0) {
      lines.push(`config:check: ${check.lines[0]}`);
      return { exitCode: 0, lines };
    }
    lines.push("config:check on the result (fix these, then run `npm run config:check -- --config DIR`):");
    lines.push(...check.lines.map((l) => `  ${l}`));
    return { exitCode: 1, lines };
  } catch (err) {
    if (err instanceof ImportError)
      return { exitCode: 1, lines: [`import failed: ${err.message}`], toStderr: true };
    throw err;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const run = await runImport(process.argv.slice(2));
  const out = run.toStderr ? console.error : console.log;
  for (const line of run.lines) out(line);
  process.exitCode = run.exitCode;
}
