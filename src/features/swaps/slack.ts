// Swap requests in Slack: `/oncall swap`, the "Ask for cover" button (shift-change posts, Home),
// Take, and the expiry timer. A request is posted to the rotation's channel and the requester's
// team channel; the first Take (settle-swap-1.lua, atomic across replicas) becomes an override
// through the rotation store, every copy of the request is rewritten in place, and the requester
// and the taker get a DM. Every refusal is ephemeral and says why.

import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import type { Job, Queue } from "bullmq";
import type { Rotation } from "../../core/config";
import { shiftsBetween } from "../../core/rotation";
import { WHEN_EXAMPLES } from "../../core/when";
import type { JobRun } from "../../platform/queue/worker";
import {
  type CommandContext,
  type CommandReply,
  type Subcommand,
  UsageError,
} from "../../platform/slack/commands";
import { type MessageRef, post, postEphemeral, rewrite } from "../../platform/slack/delivery";
import { type ButtonPress, slackDate } from "../../platform/slack/kit";
import { userTimeZone } from "../../platform/slack/users";
import type { Runtime } from "../../runtime";
import { teamName } from "../rotation/blocks";
import { findRotationByWord, overrideRotation, parseUserMention, readRange } from "../rotation/commands";
import {
  readAskValue,
  requesterDm,
  SWAP_ACTION,
  SWAP_EVENT,
  type SwapView,
  swapRequestMessage,
  takerDm,
} from "./blocks";
import {
  askRequester,
  fileSwap,
  requestChannels,
  type SwapCheck,
  type SwapRequest,
  takenWindow,
  takeRefusal,
} from "./rules";
import type { StoredSwap, SwapStore } from "./store";

export const SWAP_EXPIRE_JOB = "swap-expire";

export interface SwapExpireJobData {
  readonly id: string;
}

export interface SwapDeps {
  readonly rt: Runtime;
  readonly store: SwapStore;
}

function rotationOf(rt: Runtime, id: string): Rotation | undefined {
  return rt.config.rotations.find((r) => r.id === id);
}

function viewOf(rt: Runtime, swap: StoredSwap): SwapView {
  const rotation = rotationOf(rt, swap.request.rotationId);
  return {
    request: swap.request,
    status: swap.status,
    rotationName: rotation?.name ?? swap.request.rotationId,
    teamName: teamName(rt.config, swap.request.team),
  };
}

async function scheduleExpiry(queue: Queue, request: SwapRequest, now: Date): Promise<void> {
  await queue.add(SWAP_EXPIRE_JOB, { id: request.id } satisfies SwapExpireJobData, {
    jobId: `swap-expire-${request.id}`,
    delay: Math.max(0, request.expiresAt.getTime() - now.getTime()),
    attempts: 10,
    backoff: { type: "exponential", delay: 1_000 },
    removeOnComplete: { age: 24 * 3600 },
    removeOnFail: { age: 7 * 24 * 3600 },
  });
}

export interface FileArgs {
  readonly actor: string;
  readonly requester: string;
  readonly rotation: Rotation;
  readonly from: Date;
  readonly to: Date;
  readonly note: string | null;
}

/** Files a request: checked, stored, timed to expire, posted where the rotation's people see it. */
export async function fileRequest(deps: SwapDeps, a: FileArgs): Promise<SwapCheck<SwapRequest>> {
  const { rt, store } = deps;
  const now = rt.now();
  const state = await rt.rotationState.routingState();
  const check = fileSwap({
    config: rt.config,
    rotation: a.rotation,
    actor: a.actor,
    requester: a.requester,
    from: a.from,
    to: a.to,
    now,
    shifts: shiftsBetween(a.rotation, a.from, a.to, state),
    formatTime: slackDate,
  });
  if (!check.ok) return check;
  const w = check.value;
  const request = await store.create({
    rotationId: a.rotation.id,
    requester: a.requester,
    filedBy: a.actor,
    team: w.team,
    from: w.from,
    to: w.to,
    underWay: w.underWay,
    expiresAt: w.expiresAt,
    note: a.note,
    createdAt: now,
  });
  // The timer first: a request nobody can take must still end as "expired" on every copy.
  await scheduleExpiry(rt.queues.schedule, request, now);
  const content = swapRequestMessage(viewOf(rt, { request, status: { kind: "open" }, messages: [] }));
  const messages: MessageRef[] = [];
  for (const channel of requestChannels(rt.config, a.rotation, w.team)) {
    try {
      messages.push(
        await post(rt.slack, channel, content, {
          mark: { event_type: SWAP_EVENT, event_payload: { request: request.id } },
        }),
      );
    } catch (err) {
      rt.log.warn({ err, channel, swap: request.id }, "could not post a swap request");
    }
  }
  await store.setMessages(request.id, messages);
  if (!messages.length) {
    return {
      ok: false,
      usage: false,
      text: `Swap request ${request.id} is stored, but Slack took none of its posts (is the bot in <#${a.rotation.channel}>?). Try again in a moment.`,
    };
  }
  rt.log.info({ swap: request.id, rotation: a.rotation.id, requester: a.requester }, "swap request filed");
  return { ok: true, value: request };
}

function filedText(request: SwapRequest, channels: readonly string[]): string {
  const where = channels.map((c) => `<#${c}>`).join(" and ");
  const whose = request.filedBy === request.requester ? "your" : `<@${request.requester}>'s`;
  return `Asked for cover of ${whose} shift from ${slackDate(request.from)} to ${slackDate(request.to)} in ${where} (swap request ${request.id}). The first colleague to press Take covers it; it expires ${slackDate(request.expiresAt)}.`;
}

/** Rewrites every copy of the request from its stored state; a copy Slack refuses is logged. */
async function rewriteAll(deps: SwapDeps, id: string): Promise<StoredSwap | null> {
  const swap = await deps.store.get(id);
  if (!swap) return null;
  const content = swapRequestMessage(viewOf(deps.rt, swap));
  for (const message of swap.messages) {
    try {
      await rewrite(deps.rt.slack, message, content);
    } catch (err) {
      deps.rt.log.warn({ err, swap: id, channel: message.channel }, "could not rewrite a swap request");
    }
  }
  return swap;
}

async function dm(rt: Runtime, user: string, text: string): Promise<void> {
  try {
    await post(rt.slack, user, { text });
  } catch (err) {
    rt.log.warn({ err, user }, "could not DM about a swap");
  }
}

/** Says `text` to the presser alone: ephemeral where they pressed, else (Home) in their DM. */
async function tell(rt: Runtime, press: ButtonPress, text: string): Promise<void> {
  const user = press.body.user.id;
  const channel = press.body.channel?.id ?? press.body.container?.channel_id;
  try {
    if (channel) await postEphemeral(rt.slack, { user, channel }, text);
    else await post(rt.slack, user, { text });
  } catch (err) {
    rt.log.warn({ err, user }, "could not answer a swap press");
  }
}

export type TakeOutcome =
  | { readonly kind: "taken"; readonly overrideId: string }
  | { readonly kind: "refused"; readonly text: string };

/** One Take: checked, settled atomically, made an override; the copies and DMs follow. */
export async function takeRequest(deps: SwapDeps, id: string, taker: string): Promise<TakeOutcome> {
  const { rt, store } = deps;
  const swap = await store.get(id);
  if (!swap)
    return { kind: "refused", text: "This swap request is not known any more (it may be long over)." };
  const rotation = rotationOf(rt, swap.request.rotationId);
  if (!rotation) {
    return { kind: "refused", text: `Rotation "${swap.request.rotationId}" is no longer configured.` };
  }
  const now = rt.now();
  const refusal = takeRefusal(rt.config, rotation, swap.request, swap.status, taker, now, slackDate);
  if (refusal) return { kind: "refused", text: refusal };
  const settled = await store.take(id, taker, now);
  if (settled.outcome === "taken-before") {
    return { kind: "refused", text: `This request was already taken by <@${settled.by}>.` };
  }
  if (settled.outcome === "expired" || settled.outcome === "expired-before") {
    if (settled.outcome === "expired") await rewriteAll(deps, id);
    const text =
      takeRefusal(rt.config, rotation, swap.request, { kind: "expired", at: now }, taker, now, slackDate) ??
      "This request has expired.";
    return { kind: "refused", text };
  }
  if (settled.outcome !== "taken")
    return { kind: "refused", text: "This swap request is not known any more." };
  const window = takenWindow(swap.request, now);
  const override = await rt.rotationState.addOverride({
    rotationId: rotation.id,
    user: taker,
    from: window.from,
    to: window.to,
    createdBy: taker,
  });
  await store.setOverride(id, override.id);
  rt.log.info({ swap: id, taker, override: override.id }, "swap request taken");
  const after = await rewriteAll(deps, id);
  const view = viewOf(rt, after ?? swap);
  await dm(rt, swap.request.requester, requesterDm(view, taker, override.id));
  if (swap.request.filedBy !== swap.request.requester) {
    await dm(rt, swap.request.filedBy, requesterDm(view, taker, override.id));
  }
  await dm(rt, taker, takerDm(view, window.from, override.id));
  return { kind: "taken", overrideId: override.id };
}

/** The expiry timer: due when the request's shift starts. */
export async function runSwapExpiry(
  deps: SwapDeps,
  job: Job<SwapExpireJobData>,
  run: JobRun,
): Promise<string> {
  const swap = await deps.store.get(job.data.id);
  if (!swap) return "missing";
  const left = swap.request.expiresAt.getTime() - deps.rt.now().getTime();
  // Early (the bot's clock ahead of the queue's, or behind): look again when it is due.
  if (left > 0) return run.later(left);
  const settled = await deps.store.expire(job.data.id, deps.rt.now());
  if (settled.outcome === "expired") await rewriteAll(deps, job.data.id);
  return settled.outcome;
}

async function zoneOf(rt: Runtime, user: string): Promise<string> {
  return userTimeZone(rt.slack, user, rt.config.rotations[0]?.timezone ?? "UTC");
}

/** `/oncall swap <from> <to> [rotation] [for @user] [note…]` */
async function swapCommand(deps: SwapDeps, ctx: CommandContext): Promise<CommandReply> {
  const { rt } = deps;
  const words = ctx.rest.split(/\s+/).filter(Boolean);
  if (!words.length) throw new UsageError("Say from when and until when you need cover.");
  const now = rt.now();
  const tz = await zoneOf(rt, ctx.userId);
  const range = readRange(words, 0, now, tz);
  const { from, to } = range;
  let next = range.next;
  let rotationWord: string | undefined;
  let requester = ctx.userId;
  for (;;) {
    const word = words[next];
    if (word?.toLowerCase() === "for" && words[next + 1]) {
      const who = parseUserMention(words[next + 1]!, ctx.userId);
      if (!who)
        throw new UsageError(
          `After "for" name the colleague with a mention (@bob); got "${words[next + 1]}".`,
        );
      requester = who;
      next += 2;
    } else if (word && rotationWord === undefined && findRotationByWord(rt.config, word)) {
      rotationWord = word;
      next += 1;
    } else break;
  }
  const note = words.slice(next).join(" ") || null;
  const rotation = overrideRotation(rt.config, rotationWord, requester);
  const filed = await fileRequest(deps, { actor: ctx.userId, requester, rotation, from, to, note });
  if (!filed.ok) {
    if (filed.usage) throw new UsageError(filed.text);
    return { text: filed.text };
  }
  return { text: filedText(filed.value, requestChannels(rt.config, rotation, filed.value.team)) };
}

export function swapSubcommand(deps: SwapDeps): Subcommand {
  return {
    name: "swap",
    usage: "swap <from> <to> [rotation] [for @user] [note]",
    summary: `ask colleagues to cover your shift (from "now" for one under way); the first to press Take covers it. Admins file for an absent colleague with \`for @user\`. Times like ${WHEN_EXAMPLES}`,
    example: "/oncall swap fri 18:00 mon 10:00 family matter",
    run: (ctx) => swapCommand(deps, ctx),
  };
}

async function onAsk(deps: SwapDeps, press: ButtonPress): Promise<void> {
  const { rt } = deps;
  const presser = press.body.user.id;
  const ask = readAskValue(press.action.value ?? "");
  const rotation = ask && rotationOf(rt, ask.rotationId);
  if (!ask || !rotation)
    return tell(rt, press, "This button no longer names a shift; use `/oncall swap <from> <to>`.");
  const now = rt.now();
  if (ask.to.getTime() <= now.getTime()) return tell(rt, press, `That shift ended ${slackDate(ask.to)}.`);
  const state = await rt.rotationState.routingState();
  const shifts = shiftsBetween(
    rotation,
    new Date(Math.max(ask.from.getTime(), now.getTime())),
    ask.to,
    state,
  );
  const who = askRequester(rotation, shifts, presser);
  if (!who.ok) return tell(rt, press, who.text);
  const filed = await fileRequest(deps, {
    actor: presser,
    requester: who.value,
    rotation,
    from: ask.from,
    to: ask.to,
    note: null,
  });
  if (!filed.ok) return tell(rt, press, filed.text);
  await tell(rt, press, filedText(filed.value, requestChannels(rt.config, rotation, filed.value.team)));
}

async function onTake(deps: SwapDeps, press: ButtonPress): Promise<void> {
  const outcome = await takeRequest(deps, press.action.value ?? "", press.body.user.id);
  if (outcome.kind === "refused") await tell(deps.rt, press, outcome.text);
}

export function registerSwapButtons(app: App, deps: SwapDeps): void {
  const on = (actionId: string, handler: (deps: SwapDeps, press: ButtonPress) => Promise<void>) =>
    app.action<BlockAction<ButtonAction>>({ action_id: actionId, type: "block_actions" }, async (args) => {
      await args.ack();
      try {
        await handler(deps, args);
      } catch (err) {
        deps.rt.log.error({ err, action: actionId, user: args.body.user.id }, "swap button failed");
        await tell(deps.rt, args, "Something went wrong on our side; nothing may have changed. Press again.");
      }
    });
  on(SWAP_ACTION.take, onTake);
  on(SWAP_ACTION.ask, onAsk);
}
