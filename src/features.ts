// The features of the running bot, in the order their hooks run after an alert changes.

import { escalationFeature } from "./features/escalation/jobs";
import { incidentFeature } from "./features/incidents/commands";
import { reviewFeature } from "./features/incidents/review";
import { opsLoadFeature } from "./features/load/commands";
import { alertButtonsFeature } from "./features/paging/buttons";
import { noiseFeature } from "./features/noise";
import { notifyFeature } from "./features/paging/notify";
import { remediationFeature } from "./features/remediation/jobs";
import { calendarFeature } from "./features/rotation/calendar";
import { oncallCommandsFeature } from "./features/rotation/commands";
import { homeFeature } from "./features/rotation/home";
import { shiftChangeFeature } from "./features/rotation/shift-change";
import type { Feature } from "./runtime";

export const FEATURES: readonly Feature[] = [
  notifyFeature,
  opsLoadFeature,
  escalationFeature,
  noiseFeature,
  remediationFeature,
  alertButtonsFeature,
  oncallCommandsFeature,
  homeFeature,
  shiftChangeFeature,
  calendarFeature,
  incidentFeature,
  reviewFeature,
];
