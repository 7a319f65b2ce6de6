// The "Run remediation" button (`alert.remediate`): checks who pressed and whether a run makes sense,
// asks for confirmation in a modal that shows what will run, and on "Run" enqueues a manual run.
// Refusals (a stranger, a resolved alert, no remediation in the runbook, a run already going, the
// loop guard) are answered ephemerally to the presser and change nothing.

import type { App, BlockAction, ButtonAction, ViewSubmitAction } from "@slack/bolt";
import { mapJsonStrings, renderTemplate } from "../../../handlers/template";
import type { Alert } from "../../core/alert";
import { mayActOn, whoMayAct } from "../../core/alert-actions";
import type { OncallConfig } from "../../core/config";
import { escapeMrkdwn } from "../../core/mrkdwn";
import { postEphemeral } from "../../platform/slack/delivery";
import type { Block, ButtonPress, ModalView } from "../../platform/slack/kit";
import {
  context,
  modal,
  mrkdwn,
  paragraph,
  readMetadata,
  slackDate,
  stringField,
} from "../../platform/slack/kit";
import type { Runtime } from "../../runtime";
import { ACTION, ownerLabel } from "../paging/blocks";
import {
  attemptsOf,
  describeInstance,
  formatWindow,
  type LoopGuard,
  loopGuardDecision,
  manualRuns,
  type RemediationRun,
  remediationAlert,
  runTarget,
} from "./rules";
import type { ActiveRun, RemediationStore } from "./store";

export const CONFIRM_CALLBACK = "alert.remediate.confirm";

export interface RemediateDeps {
  readonly rt: Runtime;
  readonly store: RemediationStore;
  /** Enqueues the manual runs for a confirmed press; a refusal from the queue goes to `replyTo`. */
  readonly enqueue: (
    alert: Alert,
    user: string,
    replyTo: { readonly channel: string; readonly threadTs: string | null } | null,
  ) => Promise<RemediationRun[]>;
}

interface Place {
  readonly user: string;
  readonly channel: string | null;
  readonly threadTs: string | null;
}

async function tell(rt: Runtime, place: Place, text: string): Promise<void> {
  if (!place.channel) {
    rt.log.warn({ user: place.user, text }, "no channel to answer a remediation request in");
    return;
  }
  try {
    await postEphemeral(rt.slack, { ...place, channel: place.channel }, text);
  } catch (err) {
    rt.log.error({ err, user: place.user }, "could not answer a remediation request");
  }
}

/**
 * Why a manual run cannot start now, or null when it can. The loop guard refuses only when every
 * run the press would start is stopped by it.
 */
export async function refusal(deps: RemediateDeps, alert: Alert, user: string): Promise<string | null> {
  const { rt, store } = deps;
  if (!mayActOn(user, alert, rt.config)) return whoMayAct(alert, rt.config);
  if (alert.state === "resolved") {
    return "This alert is already resolved, so no remediation runs. If the problem is back, the next notification opens a new page.";
  }
  const runs = manualRuns(alert, rt.config.runbooks, 0, user);
  if (!runs.length) {
    const name = escapeMrkdwn(alert.name);
    return `The runbook for ${name} names no remediation, so there is nothing to run. Add \`remediation: { handler, params }\` to the front matter of runbooks/${name}.md.`;
  }
  if (alert.state === "remediating" || (alert.remediating?.runs.length ?? 0) > 0) {
    for (const run of runs) {
      const t = { groupId: alert.groupId, handler: run.handler, target: runTarget(run.fingerprint) };
      const holder = await store.activeRun(alert.id, t);
      if (holder) return alreadyRunningText(run.handler, holder);
    }
    return alreadyRunningText(runs[0]!.handler, null);
  }
  const guard: LoopGuard = rt.settings.remediationLoopGuard;
  const now = rt.now();
  let retryAt: Date | null = null;
  for (const run of runs) {
    const times = await store.recentRuns(
      { groupId: alert.groupId, handler: run.handler, target: runTarget(run.fingerprint) },
      now,
      guard,
    );
    const decision = loopGuardDecision(times, now, guard);
    if (decision.allowed) return null;
    if (!retryAt || decision.retryAt < retryAt) retryAt = decision.retryAt;
  }
  const handler = runs[0]!.handler;
  return `⛔ Loop guard: ${handler} ran ${guard.runs} times in ${formatWindow(guard.windowMs)} for this alert group, so automation is stopped for it. Fix the cause by hand; it can run again after ${slackDate(retryAt ?? now)}.`;
}

/**
 * The answer to whoever asks for a run while one is under way (pressed, or confirmed in a race the
 * other confirmation won): who started it and when, and what to do.
 */
export function alreadyRunningText(handler: string, holder: ActiveRun | null): string {
  const who = holder ? (holder.by ? `by <@${holder.by}>` : "automatically") : "";
  const started = holder ? ` (started ${who} ${slackDate(holder.at)})` : "";
  return `⏳ A remediation is already under way for this alert: ${handler}${started}. Yours did not start, so nothing runs twice; the outcome will appear in the alert's thread. Press Run remediation again once it has finished, if it is still needed.`;
}

/** How many runs of one runbook the dialog spells out; the rest run alike, on their own labels. */
export const MAX_RUNS_SHOWN = 5;

/**
 * The params a run's handler receives, templates filled in from the labels it runs with (the same
 * substitution the handler applies, before its own encoding), or why they cannot be filled in.
 */
export function renderedParams(
  params: Readonly<Record<string, unknown>>,
  alert: Alert,
  fingerprint: string | null,
): { readonly ok: true; readonly params: unknown } | { readonly ok: false; readonly problem: string } {
  const target = remediationAlert(alert, fingerprint);
  if (!target) return { ok: false, problem: "this instance is no longer part of the alert" };
  try {
    return { ok: true, params: mapJsonStrings(params, (s) => renderTemplate(s, target)) };
  } catch (err) {
    return { ok: false, problem: (err as Error).message };
  }
}

function paramsText(params: unknown): string {
  const empty = !params || (typeof params === "object" && !Object.keys(params).length);
  return empty ? "(no params)" : `\`\`\`${escapeMrkdwn(JSON.stringify(params, null, 2))}\`\`\``;
}

/** The confirmation dialog: what runs, with which params (as they will run), on what. */
export function remediateModal(
  alert: Alert,
  runs: readonly RemediationRun[],
  config: OncallConfig,
  privateMetadata: string,
): ModalView {
  const blocks: Block[] = [];
  const byRunbook = new Map<string, RemediationRun[]>();
  for (const run of runs) byRunbook.set(run.runbook, [...(byRunbook.get(run.runbook) ?? []), run]);
  for (const [runbook, group] of byRunbook) {
    const spec = config.runbooks[runbook]?.remediation;
    if (!spec) continue;
    const first = group[0]!;
    const instanceName = (r: RemediationRun) => {
      const i = alert.instances.find((x) => x.fingerprint === r.fingerprint);
      return escapeMrkdwn(i ? describeInstance(i) : (r.fingerprint ?? ""));
    };
    const on =
      first.fingerprint === null
        ? "with the alert's common labels"
        : `once for each firing instance (${group.map(instanceName).join(", ")}), with its own labels`;
    blocks.push(
      paragraph(
        `Run *${spec.handler}* for *${escapeMrkdwn(alert.name)} · ${ownerLabel(alert, config)}* ${on}?`,
      ),
    );
    for (const run of group.slice(0, MAX_RUNS_SHOWN)) {
      const rendered = renderedParams(spec.params, alert, run.fingerprint);
      const head = run.fingerprint === null ? "" : `*${instanceName(run)}*\n`;
      const body = rendered.ok
        ? paramsText(rendered.params)
        : `⚠ ${escapeMrkdwn(rendered.problem)}, so this run will fail.`;
      blocks.push(paragraph(`${head}${body}`));
    }
    if (group.length > MAX_RUNS_SHOWN) {
      blocks.push(
        context([mrkdwn(`… and ${group.length - MAX_RUNS_SHOWN} more instances, each with its own labels.`)]),
      );
    }
    const timeout = spec.timeoutMs === null ? "" : ` · timeout ${formatWindow(spec.timeoutMs)}`;
    blocks.push(
      context([
        mrkdwn(
          `From runbooks/${runbook}.md · up to ${attemptsOf(spec)} attempts${timeout} · the outcome goes to the alert's thread`,
        ),
      ]),
    );
  }
  return {
    ...modal({ title: "Run remediation", callbackId: CONFIRM_CALLBACK, submit: "Run", blocks }),
    private_metadata: privateMetadata,
  };
}

interface Metadata {
  readonly alertId: string;
  readonly channel: string | null;
  readonly threadTs: string | null;
}

function parseMetadata(text: string): Metadata | null {
  return readMetadata(text, (m) => {
    const alertId = stringField(m.alertId);
    return alertId ? { alertId, channel: stringField(m.channel), threadTs: stringField(m.threadTs) } : null;
  });
}

export function registerRemediateActions(app: App, deps: RemediateDeps): void {
  const { rt } = deps;

  app.action<BlockAction<ButtonAction>>(
    { action_id: ACTION.remediate, type: "block_actions" },
    async ({ ack, body, action }: ButtonPress) => {
      await ack();
      const message = body.message as { ts?: string; thread_ts?: string } | undefined;
      const place: Place = {
        user: body.user.id,
        channel: body.channel?.id ?? body.container?.channel_id ?? null,
        threadTs: message?.thread_ts && message.thread_ts !== message.ts ? message.thread_ts : null,
      };
      const alertId = action.value ?? "";
      try {
        const alert = alertId ? await rt.alerts.get(alertId) : null;
        if (!alert) return await tell(rt, place, "This alert is not known (it may have expired).");
        const why = await refusal(deps, alert, place.user);
        if (why) return await tell(rt, place, why);
        const runs = manualRuns(alert, rt.config.runbooks, 0, place.user);
        const metadata: Metadata = { alertId, channel: place.channel, threadTs: place.threadTs };
        await rt.slack.call("views.open", {
          trigger_id: body.trigger_id,
          view: remediateModal(alert, runs, rt.config, JSON.stringify(metadata)),
        });
      } catch (err) {
        rt.log.error({ err, alertId, user: place.user }, "remediate press failed");
        await tell(rt, place, "Something went wrong on our side; nothing ran. Press Run remediation again.");
      }
    },
  );

  app.view<ViewSubmitAction>(CONFIRM_CALLBACK, async ({ ack, body, view }) => {
    await ack();
    const meta = parseMetadata(view.private_metadata);
    const user = body.user.id;
    const place: Place = { user, channel: meta?.channel ?? null, threadTs: meta?.threadTs ?? null };
    try {
      const alert = meta ? await rt.alerts.get(meta.alertId) : null;
      if (!alert) return await tell(rt, place, "This alert is not known (it may have expired).");
      // Checked again: the alert may have changed while the dialog was open.
      const why = await refusal(deps, alert, user);
      if (why) return await tell(rt, place, why);
      const replyTo = place.channel ? { channel: place.channel, threadTs: place.threadTs } : null;
      const runs = await deps.enqueue(alert, user, replyTo);
      rt.log.info({ alertId: alert.id, user, runs: runs.map((r) => r.jobId) }, "manual remediation enqueued");
    } catch (err) {
      rt.log.error({ err, alertId: meta?.alertId, user }, "remediate confirm failed");
      await tell(rt, place, "Something went wrong on our side; nothing ran. Press Run remediation again.");
    }
  });
}
