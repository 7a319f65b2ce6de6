// What the alert model is built from: one Alertmanager-style alert group, whatever sent it. The
// webhook parsers (src/features/paging/intake/) produce these shapes; the rest of the bot only ever
// sees them, never a raw payload.

/** Firing or resolved: an instance's status, and a group's (firing while any instance fires). */
export type InstanceStatus = "firing" | "resolved";

/**
 * "manual": a manual alert typed by a person with `/oncall page`, not parsed from a webhook;
 * "heartbeat": a missed heartbeat (features/heartbeats).
 */
export type AlertSource = "alertmanager" | "grafana" | "generic" | "opsgenie" | "manual" | "heartbeat";

export type LabelSet = Readonly<Record<string, string>>;

export interface IncomingInstance {
  readonly fingerprint: string;
  readonly status: InstanceStatus;
  /** Always holds `alertname`. Values are opaque strings from outside: never interpret them as markup. */
  readonly labels: LabelSet;
  readonly annotations: LabelSet;
  /** ISO 8601, normalised to UTC milliseconds. */
  readonly startsAt: string;
  /** null while firing: Alertmanager sends 0001-01-01T00:00:00Z for "no end yet". */
  readonly endsAt: string | null;
  /** Only http(s) URLs survive parsing; anything else becomes null. */
  readonly generatorUrl: string | null;
  /** Grafana's dashboardURL, panelURL, silenceURL (http(s) only); empty for other sources. */
  readonly links: LabelSet;
}

export interface IncomingGroup {
  readonly source: AlertSource;
  /** As the sender spelled it; may hold quotes, braces and colons. */
  readonly groupKey: string;
  /** Hash of groupKey alone (not of the sender), so HA Alertmanager replicas agree; safe in Redis keys and job ids. */
  readonly groupId: string;
  readonly status: InstanceStatus;
  readonly groupLabels: LabelSet;
  readonly commonLabels: LabelSet;
  readonly commonAnnotations: LabelSet;
  readonly externalUrl: string | null;
  /** One entry per fingerprint (the last one wins when a payload repeats a fingerprint). */
  readonly instances: readonly IncomingInstance[];
  /** Grafana's notification title; null elsewhere. */
  readonly title: string | null;
  /** Alerts Alertmanager left out because of the receiver's max_alerts; 0 when none. */
  readonly truncatedAlerts: number;
}
