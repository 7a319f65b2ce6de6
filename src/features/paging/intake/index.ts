export { parseAlertmanagerWebhook } from "./alertmanager";
export { fingerprintOf, groupIdOf } from "./fingerprint";
export { parseGenericAlert } from "./generic";
export { MAX_ALERTS_PER_PAYLOAD } from "./limits";
export * from "./types";
