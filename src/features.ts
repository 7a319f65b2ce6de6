// The features of the running bot, in the order their hooks run after an alert changes.

import { notifyFeature } from "./queue/notify";
import type { Feature } from "./runtime";

export const FEATURES: readonly Feature[] = [notifyFeature];
