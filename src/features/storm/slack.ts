// The storm message's buttons and the Show alerts modal. Acknowledge all applies the same check
// and transition as a page's Acknowledge to every alert of the storm the presser may act on;
// a refusal goes to the presser alone (ephemeral in the channel, or on the modal).

import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import type { Alert } from "../../core/alert";
import { acknowledge, mayActOn, whoMayAct } from "../../core/alert-actions";
import type { ButtonPress } from "../../platform/slack/kit";
import type { Runtime } from "../../runtime";
import { pressOf, tellPresser } from "../paging/buttons";
import { NOTIFY_ATTEMPTS, notifyJobId } from "../paging/notify";
import { MODAL_PAGE_SIZE, STORM_ACTION, stormModal } from "./blocks";
import { enqueueDigest, type StormDeps, stormView } from "./jobs";
import { pageOf, stormState } from "./rules";

/** Acknowledgements run this many at a time: a storm of a thousand alerts is done in seconds. */
const ACK_PARALLEL = 16;

async function inParallel<T>(items: readonly T[], n: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** Acknowledges `alerts` as `user`; the ones already taken are skipped (nothing to do). */
async function acknowledgeAll(rt: Runtime, user: string, alerts: readonly Alert[]): Promise<number> {
  let acked = 0;
  await inParallel(alerts, ACK_PARALLEL, async (a) => {
    const res = await rt.alerts.update(a.id, (x) => acknowledge(x, user, rt.now()));
    if (!res.ok) return;
    acked++;
    await rt.alertChanged({ alert: res.alert, previous: res.before, events: res.events });
  });
  return acked;
}

async function onAckAll(rt: Runtime, deps: StormDeps, args: ButtonPress) {
  const press = pressOf(args);
  const storm = await deps.store.get(press.alertId);
  if (!storm) return tellPresser(rt, press, "This storm is not known (it may have expired).");
  const alerts = await rt.alerts.getMany(await deps.store.alertIds(storm.id));
  const firing = alerts.filter((a) => stormState(a) === "firing");
  if (firing.length === 0)
    return tellPresser(rt, press, "Every alert in this storm is already taken or resolved.");
  const allowed = firing.filter((a) => mayActOn(press.user, a, rt.config));
  if (allowed.length === 0) return tellPresser(rt, press, whoMayAct(firing[0]!, rt.config));
  const acked = await acknowledgeAll(rt, press.user, allowed);
  const refused = firing.length - allowed.length;
  await enqueueDigest(deps, storm.id);
  await tellPresser(
    rt,
    press,
    `You acknowledged ${acked} alert${acked === 1 ? "" : "s"} of this storm.${refused ? ` ${refused} other${refused === 1 ? " is" : "s are"} not yours to act on: ${whoMayAct(firing.find((a) => !mayActOn(press.user, a, rt.config))!, rt.config)}` : ""}`,
  );
}

/** The modal's page `page` of the storm, as it is now; an optional notice on top (a refusal). */
async function modalView(deps: StormDeps, stormId: string, page: number, notice?: string) {
  const storm = await deps.store.get(stormId);
  if (!storm) return null;
  const { view, alerts } = await stormView(deps, storm);
  const sorted = [...alerts].sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
  );
  return stormModal(view, pageOf(sorted, page, MODAL_PAGE_SIZE), notice);
}

async function onShow(rt: Runtime, deps: StormDeps, args: ButtonPress) {
  const press = pressOf(args);
  const view = await modalView(deps, press.alertId, 0);
  if (!view) return tellPresser(rt, press, "This storm is not known (it may have expired).");
  await rt.slack.call("views.open", { trigger_id: press.triggerId, view });
}

interface ModalPlace {
  readonly viewId: string;
  readonly stormId: string;
  readonly page: number;
}

function modalPlace(args: ButtonPress): ModalPlace | null {
  const view = (args.body as { view?: { id?: string; private_metadata?: string } }).view;
  if (!view?.id) return null;
  try {
    const m = JSON.parse(view.private_metadata ?? "") as { storm?: unknown; page?: unknown };
    if (typeof m.storm !== "string") return null;
    return { viewId: view.id, stormId: m.storm, page: typeof m.page === "number" ? m.page : 0 };
  } catch {
    return null;
  }
}

async function refreshModal(rt: Runtime, deps: StormDeps, place: ModalPlace, page: number, notice?: string) {
  const view = await modalView(deps, place.stormId, page, notice);
  if (view) await rt.slack.call("views.update", { view_id: place.viewId, view });
}

/** A press on one alert in the modal: the same check as on its page, then the modal as it is now. */
async function onModalAlert(rt: Runtime, deps: StormDeps, args: ButtonPress, kind: "ack" | "page") {
  const place = modalPlace(args);
  if (!place) return;
  const user = args.body.user.id;
  const alert = await rt.alerts.get(args.action.value ?? "");
  const inStorm = alert ? await deps.store.stormOf(alert) : null;
  if (!alert || inStorm !== place.stormId) {
    return refreshModal(rt, deps, place, place.page, "That alert is no longer in this storm.");
  }
  if (!mayActOn(user, alert, rt.config))
    return refreshModal(rt, deps, place, place.page, whoMayAct(alert, rt.config));
  if (kind === "ack") {
    const res = await rt.alerts.update(alert.id, (a) => acknowledge(a, user, rt.now()));
    if (!res.ok) return refreshModal(rt, deps, place, place.page, res.reason);
    await rt.alertChanged({ alert: res.alert, previous: res.before, events: res.events });
  } else {
    await deps.store.leave(place.stormId, alert.id, rt.now());
    // Its version's sync ran already (it folded): a fresh job id, so it runs again and pages.
    await rt.queues.notify.add(
      "sync",
      { alertId: alert.id },
      {
        jobId: `${notifyJobId(alert)}-own-page`,
        attempts: NOTIFY_ATTEMPTS,
        backoff: { type: "exponential", delay: 1_000 },
      },
    );
    await enqueueDigest(deps, place.stormId);
  }
  await refreshModal(rt, deps, place, place.page);
}

async function onModalPage(rt: Runtime, deps: StormDeps, args: ButtonPress) {
  const place = modalPlace(args);
  const m = /^(.+):(\d+)$/.exec(args.action.value ?? "");
  if (!place || !m || m[1] !== place.stormId) return;
  await refreshModal(rt, deps, place, Number(m[2]));
}

export function registerStormButtons(app: App, rt: Runtime, deps: StormDeps): void {
  const on = (actionId: string | RegExp, handler: (args: ButtonPress) => Promise<void>) =>
    app.action<BlockAction<ButtonAction>>({ action_id: actionId, type: "block_actions" }, async (args) => {
      await args.ack();
      try {
        await handler(args);
      } catch (err) {
        rt.log.error(
          { err, action: args.action.action_id, user: args.body.user.id },
          "storm button press failed",
        );
        await tellPresser(
          rt,
          pressOf(args),
          "Something went wrong on our side; the storm's alerts may not have changed. Try again.",
        );
      }
    });
  on(STORM_ACTION.ack, (a) => onAckAll(rt, deps, a));
  on(STORM_ACTION.show, (a) => onShow(rt, deps, a));
  on(STORM_ACTION.alertAck, (a) => onModalAlert(rt, deps, a, "ack"));
  on(STORM_ACTION.alertPage, (a) => onModalAlert(rt, deps, a, "page"));
  on(new RegExp(`^${STORM_ACTION.pageTo.replace(".", "\\.")}\\.(prev|next)$`), (a) =>
    onModalPage(rt, deps, a),
  );
}
