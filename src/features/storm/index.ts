// Storms: when a channel's new alerts come faster than Slack lets the bot post them, they fold
// into one digest message per storm (rules.ts says when), updated in place, with Acknowledge all
// and a modal of its alerts; escalation re-pages and broadcasts once per storm. Paging and
// escalation reach it through `Runtime.alertGroups`.

import type { Queue } from "bullmq";
import type { Feature } from "../../runtime";
import {
  broadcastStorm,
  createStormWorker,
  foldIntoStorm,
  repageStorm,
  type StormDeps,
  type StormJobData,
  stormSettings,
} from "./jobs";
import { registerStormButtons } from "./slack";
import { StormStore } from "./store";

export const stormFeature: Feature = {
  name: "storm",
  setup(rt) {
    const queue = rt.queues.storm as Queue<StormJobData>;
    const deps: StormDeps = {
      ...rt,
      store: new StormStore(rt.redis, rt.prefix),
      queue,
      settings: stormSettings(rt),
    };
    rt.alertGroups.push({
      fold: (alert) => foldIntoStorm(deps, alert),
      holds: async (alert) => (await deps.store.stormOf(alert)) !== null,
      repage: (alert, step, repeats) => repageStorm(deps, alert, step, repeats),
      broadcast: (alert, team) => broadcastStorm(deps, alert, team),
    });
    return {
      slack: (app) => registerStormButtons(app, rt, deps),
      workers: () => [createStormWorker(rt, deps)],
    };
  },
};
