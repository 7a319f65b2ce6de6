// The typed, validated configuration every other module reads. Produced by `loadConfig` from
// `schedules/` and `runbooks/`; deeply frozen, so nothing at run time can change it by accident.

export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";

export const WEEKDAYS: readonly Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** A local wall-clock time of day. */
export interface TimeOfDay {
  readonly hour: number; // 0-23
  readonly minute: number; // 0-59
}

/** Working hours as minutes from local midnight; `end` may be 1440 ("24:00", the whole day). */
export interface WorkHours {
  readonly startMinute: number;
  readonly endMinute: number;
}

export interface Workdays {
  readonly days: readonly Weekday[];
  readonly hours: WorkHours;
  /** date-holidays region: "DE", "DE-BY", "US-NY"; public holidays there are not workdays. */
  readonly holidays: string | null;
}

export interface Team {
  readonly id: string;
  readonly name: string;
  /** Slack channel id where hand-offs and escalations for this team go. */
  readonly channel: string;
  /** Slack user ids. */
  readonly members: readonly string[];
  readonly timezone: string;
  readonly workdays: Workdays;
}

export interface Service {
  readonly id: string;
  readonly name: string;
  readonly team: string;
  /** Alert labels that identify the service; all must match. */
  readonly match: Readonly<Record<string, string>>;
}

/**
 * Shift length. Hours must divide 24; days and weeks are local calendar days, so a hand-off stays at
 * the same wall-clock time across daylight-saving changes.
 */
export interface ShiftLength {
  readonly unit: "h" | "d" | "w";
  readonly amount: number;
}

export interface Participant {
  readonly user: string;
  /** The team this engineer represents in the rotation. */
  readonly team: string;
}

export interface Rotation {
  readonly id: string;
  readonly name: string;
  readonly channel: string;
  readonly timezone: string;
  readonly teams: readonly string[];
  /** The first hand-off's local date, YYYY-MM-DD. */
  readonly start: string;
  /** For weekly shifts, the first hand-off is on the first `day` on or after `start`. */
  readonly handoff: { readonly day: Weekday; readonly time: TimeOfDay };
  readonly shift: ShiftLength;
  readonly participants: readonly Participant[];
  readonly escalation: { readonly ackTimeoutMs: number; readonly repeats: number };
  readonly loadLimits: { readonly pagesPerWeek: number; readonly windowWeeks: number };
  readonly admins: readonly string[];
  /** The Alertmanager that silences this rotation's alerts; absent: ALERTMANAGER_URL's, if set. */
  readonly alertmanager?: AlertmanagerConfig | null;
  /** The Slack user group whose only member is whoever is on call; absent: none. */
  readonly usergroup?: UsergroupRef | null;
}

/** A user group by its id (it exists), or by its handle (the bot creates it when missing). */
export type UsergroupRef =
  | { readonly kind: "id"; readonly id: string }
  | { readonly kind: "handle"; readonly handle: string };

/**
 * An Alertmanager as a rotation's YAML names it. Secrets stay out of the repository: the YAML names
 * the environment variable that holds them.
 */
export interface AlertmanagerConfig {
  readonly url: string;
  readonly auth:
    | { readonly kind: "bearer"; readonly tokenEnv: string }
    | { readonly kind: "basic"; readonly username: string; readonly passwordEnv: string }
    | null;
}

export interface RemediationSpec {
  readonly handler: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly auto: boolean;
  readonly perInstance: boolean;
  readonly retries: number | null;
  readonly timeoutMs: number | null;
}

export interface Runbook {
  /** The alert name (`alertname` label) this entry is for. */
  readonly alert: string;
  /** Path relative to the config dir, e.g. "runbooks/HighErrorRate.md". */
  readonly file: string;
  readonly context: string;
  readonly meaning: string;
  readonly steps: string | null;
  /** The whole Markdown body, front matter excluded. */
  readonly body: string;
  readonly remediation: RemediationSpec | null;
  /** The severity an incident declared from this alert starts with; null: the default. */
  readonly severity: IncidentSeverity | null;
}

/** SEV1 (critical: many users cannot use the product) to SEV3 (minor). */
export type IncidentSeverity = "sev1" | "sev2" | "sev3";

export interface ReviewConfig {
  readonly channel: string;
  readonly day: Weekday;
  readonly time: TimeOfDay;
  readonly timezone: string;
}

/** A dead man's switch: something that must ping at least every interval, or a miss pages. */
export interface Heartbeat {
  /** Unique; the name pings use (`/v2/heartbeats/<name>/ping`). */
  readonly name: string;
  readonly intervalMs: number;
  /** Extra time after the interval before a missing ping counts as a miss. */
  readonly graceMs: number;
  /** Where a miss pages: a rotation, or a team (through its rotation, as `/oncall page` does). */
  readonly target: { readonly kind: "rotation" | "team"; readonly id: string };
  /** An always-firing alert (e.g. "Watchdog") that counts as a ping; null: pings only. */
  readonly alertname: string | null;
}

export interface OncallConfig {
  /** Absolute path of the directory holding schedules/ and runbooks/. */
  readonly dir: string;
  /** In file order. */
  readonly teams: readonly Team[];
  readonly services: readonly Service[];
  /** Rotation id where alerts that match no service page. */
  readonly fallbackRotation: string;
  readonly rotations: readonly Rotation[];
  /** Keyed by alert name. */
  readonly runbooks: Readonly<Record<string, Runbook>>;
  readonly review: ReviewConfig | null;
  /** From schedules/heartbeats.yaml; empty when the file is absent. */
  readonly heartbeats: readonly Heartbeat[];
}
