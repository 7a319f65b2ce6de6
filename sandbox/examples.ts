// Alerts a sandbox visitor can fire: examples that match the loaded config's services and
// runbooks, and the Alertmanager v4 payload for any set of labels, as Alertmanager would send it.

import type { OncallConfig } from "../src/core/config";
import { fingerprintOf } from "../src/features/paging/intake/fingerprint";

export interface ExampleAlert {
  readonly id: string;
  /** What the picker shows. */
  readonly title: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** Written for the repository's own example organisation; kept only where the config matches. */
const CURATED: readonly ExampleAlert[] = [
  {
    id: "stream-api-errors",
    title: "HighErrorRate on stream-api (Playback)",
    labels: {
      alertname: "HighErrorRate",
      job: "stream-api",
      instance: "stream-api-7f9c:8080",
      severity: "page",
    },
    annotations: {
      summary: "stream-api 5xx ratio above 5% for 10m",
      description: "5.8% of requests to stream-api fail with 5xx.",
    },
  },
  {
    id: "search-latency",
    title: "HighLatency on search-api (Search)",
    labels: {
      alertname: "HighLatency",
      job: "search-api",
      instance: "search-api-4c21:8080",
      severity: "page",
    },
    annotations: { summary: "search-api p99 latency 1.4s, SLO 500ms" },
  },
  {
    id: "payment-provider",
    title: "PaymentProviderErrors on payments-api (Payments)",
    labels: {
      alertname: "PaymentProviderErrors",
      job: "payments-api",
      provider: "acquirer-eu",
      severity: "page",
    },
    annotations: { summary: "4.2% of calls to acquirer-eu fail" },
  },
  {
    id: "transcoder-disk",
    title: "DiskAlmostFull on a transcoder node (Playback)",
    labels: {
      alertname: "DiskAlmostFull",
      job: "transcoder",
      instance: "transcode-node-3:9100",
      mountpoint: "/var/lib/segments",
      device: "nvme1n1",
      severity: "page",
    },
    annotations: { summary: "/var/lib/segments 91% full, full in about 6h" },
  },
  {
    id: "indexer-crashloop",
    title: "PodCrashLooping in the catalogue indexer (Search)",
    labels: {
      alertname: "PodCrashLooping",
      job: "search-indexer",
      namespace: "search",
      pod: "search-indexer-6d9f8-x2k4q",
      container: "indexer",
      severity: "page",
    },
    annotations: { summary: "search-indexer restarted 5 times in 15 minutes" },
  },
  {
    id: "billing-backlog",
    title: "QueueBacklogGrowing in subscription billing (Payments)",
    labels: { alertname: "QueueBacklogGrowing", job: "billing-worker", queue: "renewals", severity: "page" },
    annotations: { summary: "renewals backlog at 48k messages and growing" },
  },
  {
    id: "edge-cert",
    title: "CertificateExpiringSoon on the edge cache (Playback)",
    labels: {
      alertname: "CertificateExpiringSoon",
      job: "edge-cache",
      instance: "https://edge.example.com",
      severity: "ticket",
    },
    annotations: { summary: "certificate for edge.example.com expires in 9 days" },
  },
];

/** Shows the rule-violation path: no runbook entry, no matching service. */
const NO_RUNBOOK: ExampleAlert = {
  id: "no-runbook",
  title: "An alert with no runbook entry and no service (unrouted)",
  labels: { alertname: "MysteryGaugeHigh", job: "legacy-cron", instance: "cron-1:9100", severity: "page" },
  annotations: { summary: "legacy-cron mystery_gauge above 0.9 for 30m" },
};

function matchesAService(config: OncallConfig, labels: Readonly<Record<string, string>>): boolean {
  return config.services.some((s) => {
    const keys = Object.keys(s.match);
    return keys.length > 0 && keys.every((k) => labels[k] === s.match[k]);
  });
}

export function exampleAlerts(config: OncallConfig): ExampleAlert[] {
  const kept = CURATED.filter(
    (e) => matchesAService(config, e.labels) && config.runbooks[e.labels.alertname ?? ""],
  );
  if (kept.length >= 3) return [...kept, NO_RUNBOOK];
  // Another organisation's config: one example per service, cycling through its runbooks.
  const names = Object.keys(config.runbooks).sort();
  const generated = config.services.map((s, i): ExampleAlert => {
    const alertname = names.length ? (names[i % names.length] ?? "ExampleAlert") : "ExampleAlert";
    return {
      id: `service-${s.id}`,
      title: `${alertname} on ${s.name}`,
      labels: { alertname, ...s.match, instance: `${s.id}-0:8080`, severity: "page" },
      annotations: { summary: `${alertname} on ${s.name} (sandbox example)` },
    };
  });
  return [...kept, ...generated, NO_RUNBOOK];
}

export interface FireInput {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly status: "firing" | "resolved";
  /** Labels that make the group (Alertmanager's `group_by`); default alertname and job. */
  readonly groupBy?: readonly string[];
}

const NEVER = "0001-01-01T00:00:00Z";

/**
 * Remembers when each instance started firing, so a later "resolved" carries the same startsAt,
 * as Alertmanager's does.
 */
export class AlertmanagerStandIn {
  private readonly startedAt = new Map<string, string>();

  constructor(private readonly now: () => Date) {}

  /** One notification for one group: grouped by alertname and job, like a common `group_by`. */
  payload(input: FireInput): Record<string, unknown> {
    const labels = { ...input.labels };
    const annotations = { ...(input.annotations ?? {}) };
    const fingerprint = fingerprintOf(labels);
    const now = this.now().toISOString();
    const startsAt = this.startedAt.get(fingerprint) ?? now;
    if (input.status === "firing") this.startedAt.set(fingerprint, startsAt);
    else this.startedAt.delete(fingerprint);
    const groupBy = (input.groupBy ?? ["alertname", "job"]).filter((k) => labels[k] !== undefined);
    const groupLabels = Object.fromEntries(groupBy.map((k) => [k, labels[k] ?? ""]));
    const inner = Object.entries(groupLabels)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(", ");
    return {
      receiver: "shared-oncall",
      status: input.status,
      alerts: [
        {
          status: input.status,
          labels,
          annotations,
          startsAt,
          endsAt: input.status === "resolved" ? now : NEVER,
          generatorURL: "http://prometheus.sandbox:9090/graph",
          fingerprint,
        },
      ],
      groupLabels,
      commonLabels: labels,
      commonAnnotations: annotations,
      externalURL: "http://alertmanager.sandbox:9093",
      version: "4",
      groupKey: `{}:{${inner}}`,
      truncatedAlerts: 0,
    };
  }
}

/** Twenty distinct alerts at once: every example on several instances, as during a real outage. */
export function stormAlerts(examples: readonly ExampleAlert[], count = 20): FireInput[] {
  const routed = examples.filter((e) => e.id !== NO_RUNBOOK.id);
  const pool = routed.length ? routed : examples;
  const stamp = Date.now().toString(36);
  return Array.from({ length: count }, (_, i) => {
    const e = pool[i % pool.length] ?? NO_RUNBOOK;
    const wave = Math.floor(i / pool.length);
    return {
      status: "firing" as const,
      // A distinct instance and group per alert, so every one of them pages.
      labels: {
        ...e.labels,
        instance: `${e.labels.job ?? "host"}-storm-${stamp}-${i}`,
        storm_wave: String(wave),
      },
      annotations: e.annotations,
      groupBy: ["alertname", "job", "instance"],
    };
  });
}
