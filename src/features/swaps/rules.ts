// Shift swaps: who may ask for cover (for themselves, or an admin for an absent colleague), which
// window a request covers, when it expires, and who may take it. Pure: time and the shifts come
// in; a refusal is a value whose text is shown to the person as is. Who may take is the override
// rule itself (`maySetOverride`): taking a swap is setting an override for oneself.

import type { OncallConfig, Rotation } from "../../core/config";
import type { Shift } from "../../core/rotation";
import { isAdmin, maySetOverride, overrideRange } from "../rotation/rules";

export interface SwapRequest {
  readonly id: string;
  readonly rotationId: string;
  /** Whose shifts need cover. */
  readonly requester: string;
  /** Who filed it: the requester, or an admin for them. */
  readonly filedBy: string;
  /** The team the requester is on call for (its channel hears of the request too). */
  readonly team: string;
  readonly from: Date;
  readonly to: Date;
  /** The window had started when it was filed: someone takes over mid-shift. */
  readonly underWay: boolean;
  /** Nobody may take it from then on. */
  readonly expiresAt: Date;
  /** What the requester typed after the times, as Slack sent it (escaped when shown). */
  readonly note: string | null;
  readonly createdAt: Date;
}

export type SwapStatus =
  | { readonly kind: "open" }
  | {
      readonly kind: "taken";
      readonly by: string;
      readonly at: Date;
      /** Set once the override is stored (null for the instant between the claim and the store). */
      readonly overrideId: string | null;
    }
  | { readonly kind: "expired"; readonly at: Date };

export type SwapCheck<T = true> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly text: string; readonly usage: boolean };

function refuse(text: string, usage = false): { ok: false; text: string; usage: boolean } {
  return { ok: false, text, usage };
}

function mentions(users: readonly string[]): string {
  return users.map((u) => `<@${u}>`).join(", ") || "nobody";
}

/** What a new request covers, once the rules let it be filed. */
export interface SwapWindow {
  readonly from: Date;
  readonly to: Date;
  readonly underWay: boolean;
  readonly expiresAt: Date;
  readonly team: string;
}

export interface FileInput {
  readonly config: OncallConfig;
  readonly rotation: Rotation;
  /** Who asks (typed the command or pressed the button). */
  readonly actor: string;
  /** Whose shifts need cover. */
  readonly requester: string;
  readonly from: Date;
  readonly to: Date;
  readonly now: Date;
  /** The rotation's shifts (overrides applied) between `from` and `to`. */
  readonly shifts: readonly Shift[];
  /** Writes an instant for the person (a Slack date token). */
  readonly formatTime: (d: Date) => string;
}

/**
 * Whether `actor` may ask for cover of `requester`'s shifts between `from` and `to`, and the
 * window the request then covers: from the requester's first on-call instant in the range (now,
 * when their shift is under way) to their last. It expires when it starts; a window already
 * under way expires when it ends.
 */
export function fileSwap(input: FileInput): SwapCheck<SwapWindow> {
  const { rotation, actor, requester, now, formatTime } = input;
  if (actor !== requester && !isAdmin(rotation, actor)) {
    return refuse(
      `You can ask for cover of your own shifts only. Filing for an absent colleague (\`for @user\`) is for admins of ${rotation.name} (${mentions(rotation.admins)}).`,
    );
  }
  const range = overrideRange(input.from, input.to, now, formatTime);
  if (!range.ok) return refuse(range.text, range.usage);
  const mine = input.shifts.filter(
    (s) => s.user === requester && s.end.getTime() > Math.max(now.getTime(), input.from.getTime()),
  );
  const first = mine[0];
  const last = mine.at(-1);
  if (!first || !last) {
    const who = actor === requester ? "You are" : `<@${requester}> is`;
    return refuse(
      `${who} not on call in ${rotation.name} between ${formatTime(input.from)} and ${formatTime(input.to)}: there is nothing to cover. \`/oncall schedule\` shows the shifts.`,
    );
  }
  const startMs = Math.max(input.from.getTime(), first.start.getTime(), now.getTime());
  const endMs = Math.min(input.to.getTime(), last.end.getTime());
  const underWay = Math.max(input.from.getTime(), first.start.getTime()) <= now.getTime();
  return {
    ok: true,
    value: {
      from: new Date(startMs),
      to: new Date(endMs),
      underWay,
      expiresAt: new Date(underWay ? endMs : startMs),
      team: first.team,
    },
  };
}

/** Whether the request can no longer be taken at `now`. */
export function isExpired(request: Pick<SwapRequest, "expiresAt">, now: Date): boolean {
  return now.getTime() >= request.expiresAt.getTime();
}

/**
 * Whether `taker` may take the request now: it is open and not expired, they are not the
 * requester, and they may set an override for themselves in the rotation (the override rule).
 */
export function takeRefusal(
  config: OncallConfig,
  rotation: Rotation,
  request: SwapRequest,
  status: SwapStatus,
  taker: string,
  now: Date,
  formatTime: (d: Date) => string,
): string | null {
  if (status.kind === "taken") {
    return status.by === taker
      ? "You have taken this shift already."
      : `This request was already taken by <@${status.by}>.`;
  }
  if (status.kind === "expired" || isExpired(request, now)) {
    return `This request expired at ${formatTime(request.expiresAt)}: the shift it asked cover for has ${request.underWay ? "ended" : "started"}. Ask <@${request.requester}> or \`/oncall override\` if cover is still needed.`;
  }
  if (taker === request.requester) {
    return "This is your own request: someone else has to take it. Colleagues see its Take button.";
  }
  const allowed = maySetOverride(config, rotation, taker, taker);
  return allowed.ok ? null : allowed.text;
}

/** The override a take creates: from now (or the window's start) to its end. */
export function takenWindow(request: SwapRequest, now: Date): { from: Date; to: Date } {
  return { from: new Date(Math.max(request.from.getTime(), now.getTime())), to: request.to };
}

/** Where the request is posted: the rotation's channel and the requester's team channel. */
export function requestChannels(config: OncallConfig, rotation: Rotation, teamId: string): string[] {
  const team = config.teams.find((t) => t.id === teamId);
  return [...new Set([rotation.channel, ...(team?.channel ? [team.channel] : [])])];
}

/**
 * Whose cover an "Ask for cover" press asks for: the presser's, when they are on call in that
 * shift; an admin's press asks for whoever is; anyone else is refused.
 */
export function askRequester(
  rotation: Rotation,
  shifts: readonly Shift[],
  presser: string,
): SwapCheck<string> {
  if (shifts.some((s) => s.user === presser)) return { ok: true, value: presser };
  const onCall = shifts[0]?.user;
  if (!onCall) return refuse(`Nobody is on call in ${rotation.name} then: there is nothing to cover.`);
  if (isAdmin(rotation, presser)) return { ok: true, value: onCall };
  return refuse(
    `Only <@${onCall}>, who is on call then, or an admin of ${rotation.name} (${mentions(rotation.admins)}) can ask for cover of this shift. To cover it yourself, ask them to file a request or use \`/oncall override\`.`,
  );
}
