// What every webhook parser produces: one Alertmanager-style alert group, whatever sent it.
// The rest of the bot only ever sees these shapes, never a raw payload.

export type AlertStatus = "firing" | "resolved";

/** "manual": typed by a person with `/oncall page`, not parsed from a webhook. */
export type AlertSource = "alertmanager" | "grafana" | "generic" | "manual";

export type LabelSet = Readonly<Record<string, string>>;

export interface IncomingInstance {
  readonly fingerprint: string;
  readonly status: AlertStatus;
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
  readonly status: AlertStatus;
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

export interface IntakeIssue {
  /** JSON path into the payload, e.g. `alerts[2].labels.alertname`; "" for the payload itself. */
  readonly field: string;
  readonly message: string;
}

/**
 * A payload we refuse (HTTP 400). `message` reads "<field>: <detail>[; <field>: <detail>…]", meant
 * for whoever configured the sender; `field` is the first offending JSON path.
 */
export class IntakeError extends Error {
  override readonly name = "IntakeError";
  readonly field: string;
  readonly issues: readonly IntakeIssue[];

  constructor(field: string, detail: string, more: readonly IntakeIssue[] = []) {
    const issues = [{ field, message: detail }, ...more];
    super(issues.map(formatIssue).join("; "));
    this.field = field;
    this.issues = issues;
  }
}

function formatIssue(issue: IntakeIssue): string {
  return `${issue.field === "" ? "payload" : issue.field}: ${issue.message}`;
}
