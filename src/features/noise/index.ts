// The noise feature: the "was it actionable?" question after an alert resolves, and its answers.
// The noise report that reads them is the load feature's.

import type { Job } from "bullmq";
import { onScheduledJob } from "../../platform/queue/schedule";
import type { Feature } from "../../runtime";
import { onChange, QUESTION_JOB, type QuestionJobData, runQuestion } from "./jobs";
import { registerAnswerButtons } from "./slack";

export const noiseFeature: Feature = {
  name: "noise",
  setup(rt) {
    rt.onAlertChange.push((change) => onChange(rt.queues.schedule, change));
    onScheduledJob(rt, QUESTION_JOB, (job, run) => runQuestion(rt, job as Job<QuestionJobData>, run));
    return { slack: (app) => registerAnswerButtons(app, rt) };
  },
};
