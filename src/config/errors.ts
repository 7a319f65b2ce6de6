import { CodedError, ErrorCode } from "../platform/errors";

/** One thing wrong with the configuration, located precisely enough to fix without searching. */
export interface ConfigIssue {
  /** Path relative to the config dir, e.g. "schedules/teams.yaml". */
  readonly file: string;
  /** 1-based line in `file`, or null when the problem has no single place (a missing file). */
  readonly line: number | null;
  /** Where in the file, e.g. "teams[1].timezone"; empty when the whole file is meant. */
  readonly field: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

/** `schedules/teams.yaml:12 teams[1].timezone: "Europe/Berlinn" is not an IANA time zone; …` */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line === null ? issue.file : `${issue.file}:${issue.line}`;
  return issue.field === "" ? `${where}: ${issue.message}` : `${where} ${issue.field}: ${issue.message}`;
}

/**
 * Thrown by `loadConfig` with every problem found, so one run of `config:check` (or one failed
 * start-up) shows all of them instead of one per edit-and-retry cycle.
 */
export class ConfigError extends CodedError {
  readonly code = ErrorCode.ConfigError;
  override readonly name = "ConfigError";
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(issues.map(formatIssue).join("\n"));
    this.issues = Object.freeze([...issues]);
  }
}
