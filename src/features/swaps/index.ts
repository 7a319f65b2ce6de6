// Shift swaps: `/oncall swap` and "Ask for cover" (shift-change posts, Home) post a request with
// Take; the first Take becomes an override (rules.ts: who may file and take; store.ts: the atomic
// first take; slack.ts: the listeners and the expiry timer on the schedule queue).

import type { Job } from "bullmq";
import { onScheduledJob } from "../../platform/queue/schedule";
import type { Feature } from "../../runtime";
import {
  registerSwapButtons,
  runSwapExpiry,
  SWAP_EXPIRE_JOB,
  type SwapExpireJobData,
  swapSubcommand,
} from "./slack";
import { SwapStore } from "./store";

export const swapsFeature: Feature = {
  name: "swaps",
  setup(rt) {
    const deps = { rt, store: new SwapStore(rt.redis, rt.prefix) };
    rt.commands.register("/oncall", swapSubcommand(deps));
    onScheduledJob(rt, SWAP_EXPIRE_JOB, (job, run) =>
      runSwapExpiry(deps, job as Job<SwapExpireJobData>, run),
    );
    return { slack: (app) => registerSwapButtons(app, deps) };
  },
};
