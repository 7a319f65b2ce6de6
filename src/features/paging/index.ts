// Paging: alerts in from the webhooks, the page and its DM copy out to Slack, and the buttons on them.

export { alertButtonsFeature } from "./buttons";
export { notifyFeature } from "./notify";
export { slackReconcileFeature } from "./reconcile";
