// What every importer turns its product's export into: people, teams and schedules with their
// layers and overrides, in one neutral shape. build.ts maps this onto the bot's model, so the rules
// of what fits (one layer per rotation, one engineer at a time, shift lengths) live in one place.

import type { ShiftLength } from "../../core/config";

export type Product = "opsgenie" | "pagerduty" | "grafana-oncall";

export const PRODUCT_NAMES: Readonly<Record<Product, string>> = {
  opsgenie: "Opsgenie",
  pagerduty: "PagerDuty",
  "grafana-oncall": "Grafana OnCall",
};

export interface SourcePerson {
  /** The product's user id. */
  readonly key: string;
  readonly name: string;
  readonly email: string | null;
  /** A Slack user id the export already knows (Grafana OnCall keeps one per connected user). */
  readonly slackId: string | null;
  /** Admin or owner in the product: made a rotation admin. */
  readonly admin: boolean;
  readonly timezone: string | null;
}

export interface SourceTeam {
  readonly key: string;
  readonly name: string;
  /** Person keys. */
  readonly members: readonly string[];
}

/** Someone or something taking turns in a layer. */
export type SourceParticipant =
  | { readonly kind: "person"; readonly key: string }
  /** A turn the bot cannot give to one engineer: a team, an escalation, "nobody", a group of users. */
  | { readonly kind: "other"; readonly what: string };

/** A turn length as the product states it, before it is fitted to the bot's shift lengths. */
export type SourceLength = ShiftLength | { readonly seconds: number } | { readonly months: number };

export interface SourceLayer {
  readonly name: string;
  /** When the first participant's first turn begins: the hand-off every later one counts from. */
  readonly start: Date;
  /** The zone turns are counted in (wall-clock days and weeks). */
  readonly timezone: string;
  readonly length: SourceLength;
  readonly participants: readonly SourceParticipant[];
  /** The layer covers only part of the time: a description of when ("weekdays 09:00-17:00"). */
  readonly restriction: string | null;
  readonly end: Date | null;
  /** Higher wins where layers overlap. */
  readonly priority: number;
}

export interface SourceOverride {
  /** Person key; null when the export names no known user. */
  readonly person: string | null;
  /** As the export names them, for the report. */
  readonly who: string;
  readonly from: Date;
  readonly to: Date;
  /** Extra context for the report (e.g. the layers it applied to in the product). */
  readonly note: string | null;
}

export interface SourceSchedule {
  readonly key: string;
  readonly name: string;
  readonly timezone: string;
  /** Team keys owning the schedule; may be empty. */
  readonly teams: readonly string[];
  /** A Slack channel id the export names for it (Grafana OnCall's schedule Slack channel). */
  readonly channel: string | null;
  readonly layers: readonly SourceLayer[];
  readonly overrides: readonly SourceOverride[];
  readonly escalation: {
    readonly ackTimeoutMs: number;
    readonly repeats: number;
    readonly from: string;
  } | null;
  /** Services the product routes to this schedule (PagerDuty), for the report. */
  readonly services: readonly string[];
}

export interface SourceOrg {
  readonly product: Product;
  readonly people: readonly SourcePerson[];
  readonly teams: readonly SourceTeam[];
  readonly schedules: readonly SourceSchedule[];
  /**
   * What overlapping layers mean: "priority" — the higher layer takes over (PagerDuty, Grafana OnCall);
   * "together" — everyone on an overlapping layer is on call at once (Opsgenie).
   */
  readonly overlap: "priority" | "together";
  /** What the importer itself could not carry over (e.g. a schedule type it cannot read). */
  readonly notes: readonly string[];
}

/** A malformed export or unusable input: the message names the file and field. */
export class ImportError extends Error {
  override readonly name = "ImportError";
}
