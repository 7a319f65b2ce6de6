// The features of the running bot, in the order their hooks run after an alert changes. Each
// feature's index.ts says what it registers.

import { escalationFeature } from "./features/escalation";
import { heartbeatFeature } from "./features/heartbeats";
import { incidentFeature, reviewFeature } from "./features/incidents";
import { opsLoadFeature } from "./features/load";
import { noiseFeature } from "./features/noise";
import { alertButtonsFeature, notifyFeature, slackReconcileFeature } from "./features/paging";
import { remediationFeature } from "./features/remediation";
import {
  calendarFeature,
  homeFeature,
  oncallCommandsFeature,
  overrideChangeFeature,
  shiftChangeFeature,
} from "./features/rotation";
import { silencesFeature } from "./features/silences";
import { stormFeature } from "./features/storm";
import { swapsFeature } from "./features/swaps";
import { usergroupsFeature } from "./features/usergroups";
import type { Feature } from "./runtime";

export const FEATURES: readonly Feature[] = [
  notifyFeature,
  slackReconcileFeature,
  stormFeature,
  opsLoadFeature,
  escalationFeature,
  noiseFeature,
  remediationFeature,
  alertButtonsFeature,
  oncallCommandsFeature,
  homeFeature,
  shiftChangeFeature,
  overrideChangeFeature,
  usergroupsFeature,
  calendarFeature,
  incidentFeature,
  reviewFeature,
  heartbeatFeature,
  silencesFeature,
  swapsFeature,
];
