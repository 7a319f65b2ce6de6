// The features of the running bot, in the order their hooks run after an alert changes.

import { calendarFeature } from "./http/calendar";
import { escalationFeature } from "./queue/escalate";
import { notifyFeature } from "./queue/notify";
import { remediationFeature } from "./queue/remediate";
import { reviewFeature } from "./queue/review";
import { scheduleFeature } from "./queue/schedule";
import { shiftChangeFeature } from "./queue/shift-change";
import type { Feature } from "./runtime";
import { alertButtonsFeature } from "./slack/actions/alert-buttons";
import { incidentFeature } from "./slack/commands/incident";
import { oncallCommandsFeature } from "./slack/commands/oncall";
import { opsLoadFeature } from "./slack/commands/oncall-load";
import { homeFeature } from "./slack/home";

export const FEATURES: readonly Feature[] = [
  notifyFeature,
  opsLoadFeature,
  escalationFeature,
  remediationFeature,
  alertButtonsFeature,
  oncallCommandsFeature,
  homeFeature,
  shiftChangeFeature,
  calendarFeature,
  incidentFeature,
  reviewFeature,
  // Last: the one worker of the schedule queue dispatches to the handlers the features above registered.
  scheduleFeature,
];
