// The App Home tab: who is on call in each rotation, the viewer's next shift, and the alerts that
// are theirs. Published when the viewer opens the tab, and again (shortly after, coalesced through
// the schedule queue) when an alert of someone who has looked at it changes hands or state.

import type { App } from "@slack/bolt";
import type { Job } from "bullmq";
import { type Alert, isOpen } from "../../core/alert";
import type { OncallConfig } from "../../core/config";
import { type Shift, shiftsBetween } from "../../core/rotation";
import type { RoutingState } from "../../core/routing";
import { DAY_MS } from "../../core/tz";
import { onScheduledJob } from "../../platform/queue/schedule";
import {
  type Block,
  context,
  divider,
  type HomeView,
  header,
  mrkdwn,
  section,
  slackDate,
} from "../../platform/slack/kit";
import type { AlertChange, Feature, Runtime } from "../../runtime";
import { askCoverButton } from "../swaps/blocks";
import { alertLine, linesToSections, type RotationNow, rotationNowText, teamName } from "./blocks";
import { rotationNow } from "./commands";

export const HOME_REFRESH_JOB = "home-refresh";
/** How far ahead the Home tab looks for the viewer's next shift. */
export const NEXT_SHIFT_HORIZON_MS = 26 * 7 * DAY_MS;
/** Changes within this window end in one republish per viewer. */
const REFRESH_DELAY_MS = 1_000;
const MAX_ALERTS_LISTED = 20;

export interface HomeInput {
  readonly config: OncallConfig;
  readonly viewer: string;
  readonly now: Date;
  readonly rotations: readonly RotationNow[];
  /** The viewer's current or next shift (the earliest across rotations), if any within the horizon. */
  readonly nextShift: Shift | null;
  /** Open alerts that are the viewer's, with the link to each page when known. */
  readonly alerts: readonly { readonly alert: Alert; readonly link: string | null }[];
}

export function homeBlocks(input: HomeInput): Block[] {
  const { config } = input;
  const blocks: Block[] = [header("On call now")];
  for (const r of input.rotations) blocks.push(section(mrkdwn(rotationNowText(config, r))));
  if (!input.rotations.length) blocks.push(section(mrkdwn("No rotations are configured.")));

  blocks.push(divider(), header("Your next shift"));
  const s = input.nextShift;
  if (!s) {
    blocks.push(section(mrkdwn("You have no shift in the next 26 weeks.")));
  } else {
    const rotation = config.rotations.find((r) => r.id === s.rotationId);
    const override = s.overrideId !== null ? ` (override \`${s.overrideId}\` for <@${s.scheduledUser}>)` : "";
    const name = rotation?.name ?? s.rotationId;
    const team = teamName(config, s.team);
    blocks.push(
      section(
        mrkdwn(
          s.start.getTime() <= input.now.getTime()
            ? `*You are on call now* in ${name} for ${team}, until ${slackDate(s.end)}${override}.`
            : `${name} for ${team}: from ${slackDate(s.start)} to ${slackDate(s.end)}${override}.`,
        ),
        { accessory: askCoverButton({ rotationId: s.rotationId, from: s.start, to: s.end }) },
      ),
    );
  }

  blocks.push(divider(), header("Your alerts"));
  if (!input.alerts.length) {
    blocks.push(section(mrkdwn("No open alerts are assigned to you.")));
  } else {
    const lines = input.alerts.map(({ alert, link }) => alertLine(config, alert, link));
    blocks.push(...linesToSections(lines, (left) => `… and ${left} more open alerts.`));
  }
  blocks.push(
    context([
      mrkdwn(
        `Updated ${slackDate(input.now)} · \`/oncall schedule\` for the coming shifts · Ask for cover (or \`/oncall swap <from> <to>\`) posts a request a colleague takes with one press · \`/oncall override\` sets one directly.`,
      ),
    ]),
  );
  return blocks.slice(0, 100);
}

/** The viewer's shift now, else their first one ahead, across every rotation. */
export function nextShiftOf(
  config: OncallConfig,
  viewer: string,
  now: Date,
  state: RoutingState,
): Shift | null {
  const until = new Date(now.getTime() + NEXT_SHIFT_HORIZON_MS);
  let best: Shift | null = null;
  for (const rotation of config.rotations) {
    const mine = shiftsBetween(rotation, now, until, state).find((s) => s.user === viewer);
    if (mine && (!best || mine.start.getTime() < best.start.getTime())) best = mine;
  }
  return best;
}

/** Open alerts across every rotation (ejected teams' alerts keep their rotation id), newest first. */
export async function openAlertsOf(rt: Runtime, rotationIds: readonly string[]): Promise<Alert[]> {
  const ids = new Set<string>();
  for (const id of rotationIds) for (const a of await rt.alerts.openIds({ rotationId: id })) ids.add(a);
  const alerts = await rt.alerts.getMany([...ids]);
  return alerts.filter(isOpen).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** Mine: assigned to me, or paged to me and not taken by anyone else. */
export function isViewersAlert(alert: Alert, viewer: string): boolean {
  return alert.assignee === viewer || (alert.assignee === null && alert.route.oncallUser === viewer);
}

/** Permalinks of the alerts' pages; null where the page is not posted yet or Slack does not answer. */
export async function pageLinks(rt: Runtime, alerts: readonly Alert[]): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  await Promise.all(
    alerts.map(async (alert) => {
      const d = await rt.delivery.get(alert.id);
      if (!d.channel || !d.ts) return out.set(alert.id, null);
      try {
        const res = await rt.slack.call<{ permalink?: string }>("chat.getPermalink", {
          channel: d.channel,
          message_ts: d.ts,
        });
        out.set(alert.id, res.permalink ?? null);
      } catch {
        out.set(alert.id, null);
      }
    }),
  );
  return out;
}

/** Builds and publishes the Home tab of one user. */
export async function publishHome(rt: Runtime, viewer: string): Promise<void> {
  // No time zone lookup: the tab's times are Slack date tokens, which each reader sees in their own.
  const state = await rt.rotationState.routingState();
  const now = rt.now();
  const open = await openAlertsOf(
    rt,
    rt.config.rotations.map((r) => r.id).concat(rt.config.fallbackRotation),
  );
  const mine = open.filter((a) => isViewersAlert(a, viewer)).slice(0, MAX_ALERTS_LISTED);
  const links = await pageLinks(rt, mine);
  const blocks = homeBlocks({
    config: rt.config,
    viewer,
    now,
    rotations: rt.config.rotations.map((r) => rotationNow(r, now, state)),
    nextShift: nextShiftOf(rt.config, viewer, now, state),
    alerts: mine.map((alert) => ({ alert, link: links.get(alert.id) ?? null })),
  });
  const view: HomeView = { type: "home", blocks };
  await rt.slack.call("views.publish", { user_id: viewer, view });
}

/** Users whose Home tab may show this alert differently after the change. */
function affectedUsers(change: AlertChange): string[] {
  const { alert, previous } = change;
  if (
    previous &&
    previous.state === alert.state &&
    previous.assignee === alert.assignee &&
    previous.route.oncallUser === alert.route.oncallUser
  ) {
    return [];
  }
  const users = [alert.assignee, alert.route.oncallUser, previous?.assignee, previous?.route.oncallUser];
  return [...new Set(users.filter((u): u is string => Boolean(u)))];
}

async function scheduleRefresh(rt: Runtime, change: AlertChange): Promise<void> {
  const users = affectedUsers(change);
  if (!users.length) return;
  const seen = await rt.redis.smismember(rt.alerts.keys.homeViewers(), ...users);
  for (const [i, user] of users.entries()) {
    if (!seen[i]) continue;
    // One waiting job per viewer: changes while it waits are picked up by that one publish.
    await rt.queues.schedule.add(
      HOME_REFRESH_JOB,
      { userId: user },
      {
        jobId: `home-${user}`,
        delay: REFRESH_DELAY_MS,
        attempts: 3,
        backoff: { type: "exponential", delay: 2_000 },
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }
}

export const homeFeature: Feature = {
  name: "home",
  setup(rt) {
    rt.onAlertChange.push((change) => scheduleRefresh(rt, change));
    onScheduledJob(rt, HOME_REFRESH_JOB, (job: Job<{ userId: string }>) => publishHome(rt, job.data.userId));
    return {
      slack(app: App) {
        app.event("app_home_opened", async ({ event }) => {
          if (event.tab !== "home") return;
          await rt.redis.sadd(rt.alerts.keys.homeViewers(), event.user);
          await publishHome(rt, event.user);
        });
      },
    };
  },
};
