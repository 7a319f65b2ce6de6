// Heartbeats, a dead man's switch for the monitoring itself: senders ping
// (`/v2/heartbeats/<name>/ping`, `/heartbeats/<name>`, or an always-firing alert such as Watchdog),
// and a heartbeat that stops pinging pages its rotation or team until pings return.
//
// Registers: the ping routes, an intake filter that turns heartbeat alerts into pings, the check on
// the schedule queue (its job scheduler upserted at start), `/oncall heartbeats`.

import { onScheduledJob } from "../../platform/queue/schedule";
import type { Feature, Runtime } from "../../runtime";
import type { IncomingGroup } from "../paging/intake/types";
import { heartbeatLines, heartbeatsReply } from "./blocks";
import {
  checkHeartbeats,
  DEFAULT_CHECK_EVERY_MS,
  HEARTBEAT_CHECK_JOB,
  recordPing,
  scheduleHeartbeatCheck,
} from "./jobs";
import { heartbeatRoutes } from "./routes";
import { heartbeatOfAlert } from "./rules";
import { HeartbeatStore } from "./store";

/** Takes a heartbeat's alert out of a group, recording a firing one as a ping; null when none is left. */
async function takePings(
  rt: Runtime,
  store: HeartbeatStore,
  group: IncomingGroup,
): Promise<IncomingGroup | null> {
  if (rt.config.heartbeats.length === 0) return group;
  const kept = group.instances.filter((inst) => {
    const hb = heartbeatOfAlert(rt.config.heartbeats, inst.labels.alertname ?? group.commonLabels.alertname);
    return hb === null;
  });
  if (kept.length === group.instances.length) return group;
  const pinged = new Set(
    group.instances
      .filter((inst) => inst.status === "firing")
      .map((inst) =>
        heartbeatOfAlert(rt.config.heartbeats, inst.labels.alertname ?? group.commonLabels.alertname),
      )
      .filter((hb) => hb !== null),
  );
  for (const hb of pinged) await recordPing(rt, store, hb);
  if (kept.length === 0) return null;
  return Object.freeze({ ...group, instances: Object.freeze(kept) });
}

export function createHeartbeatFeature(): Feature {
  return {
    name: "heartbeats",
    setup(rt) {
      const store = new HeartbeatStore(rt.redis, rt.prefix);
      rt.intakeFilters.push((group) => takePings(rt, store, group));
      onScheduledJob(rt, HEARTBEAT_CHECK_JOB, () => checkHeartbeats(rt, store));
      rt.commands.register("/oncall", {
        name: "heartbeats",
        usage: "heartbeats",
        summary: "the heartbeats and their last ping",
        example: "/oncall heartbeats",
        async run() {
          const names = rt.config.heartbeats.map((h) => h.name);
          const records = await store.getMany(names);
          const now = rt.now().getTime();
          const last = new Map([...records].map(([name, r]) => [name, r.lastPingAt]));
          return heartbeatsReply(heartbeatLines(rt.config, last, await store.startedAt(now), now));
        },
      });
      return {
        routes: heartbeatRoutes(rt, store),
        async start() {
          await store.started(rt.now().getTime());
          await scheduleHeartbeatCheck(rt, rt.settings.heartbeatCheckMs ?? DEFAULT_CHECK_EVERY_MS);
        },
      };
    },
  };
}

export const heartbeatFeature = createHeartbeatFeature();
