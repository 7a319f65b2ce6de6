// The silences feature: Silence on the pages of Alertmanager alerts (a modal, then a silence of the
// group through Alertmanager's API v2), Expire silence, the timer that notes a silence's end in the
// thread, and the log of silences the noise report counts.

import type { Job } from "bullmq";
import { onScheduledJob } from "../../platform/queue/schedule";
import type { Feature } from "../../runtime";
import { alertmanagerTargets } from "./alertmanager";
import { runSilenceEnd, SILENCE_END_JOB, type SilenceEndJobData } from "./jobs";
import { registerSilenceButtons } from "./slack";
import { SilenceLog } from "./store";

export const silencesFeature: Feature = {
  name: "silences",
  setup(rt) {
    // Refuses to start when a rotation's `alertmanager:` names a secret variable that is unset.
    const alertmanagerFor = alertmanagerTargets(rt.config, rt.settings, process.env);
    const log = new SilenceLog(rt.redis, rt.prefix);
    onScheduledJob(rt, SILENCE_END_JOB, (job, run) => runSilenceEnd(rt, job as Job<SilenceEndJobData>, run));
    return { slack: (app) => registerSilenceButtons(app, { rt, alertmanagerFor, log }) };
  },
};
