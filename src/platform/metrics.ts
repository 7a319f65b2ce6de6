import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** One registry per running app, so tests (and replicas in one process) never share counters. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "oncall_" });
  return {
    registry,
    alertsReceived: new Counter({
      name: "oncall_alerts_received_total",
      help: "Alert notifications received, by source and status",
      labelNames: ["source", "status"] as const,
      registers: [registry],
    }),
    webhookRequests: new Counter({
      name: "oncall_webhook_requests_total",
      help: "Webhook requests by route and HTTP status",
      labelNames: ["route", "code"] as const,
      registers: [registry],
    }),
    pagesSent: new Counter({
      name: "oncall_pages_sent_total",
      help: "Pages posted to Slack",
      registers: [registry],
    }),
    pagesFailed: new Counter({
      name: "oncall_pages_failed_total",
      help: "Slack deliveries that failed for good, by Slack error",
      labelNames: ["error"] as const,
      registers: [registry],
    }),
    slackLatency: new Histogram({
      name: "oncall_slack_api_duration_seconds",
      help: "Slack Web API call latency",
      labelNames: ["method", "outcome"] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    slackPacedWait: new Histogram({
      name: "oncall_slack_paced_wait_seconds",
      help: "Time Slack calls waited for a pacing token, by bucket kind (channel or tier) and priority",
      labelNames: ["bucket", "priority"] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers: [registry],
    }),
    slackRateLimited: new Counter({
      name: "oncall_slack_rate_limited_total",
      help: "Slack calls answered 429 despite pacing, by method (each blocks its bucket for Retry-After)",
      labelNames: ["method"] as const,
      registers: [registry],
    }),
    heartbeatSincePing: new Gauge({
      name: "oncall_heartbeat_seconds_since_ping",
      help: "Seconds since each heartbeat's last ping, as of the last check (absent until its first ping)",
      labelNames: ["heartbeat"] as const,
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: "oncall_queue_depth",
      help: "Jobs per queue and state",
      labelNames: ["queue", "state"] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
