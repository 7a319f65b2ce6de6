// One HTTP server for everything: Slack's endpoint (Bolt's receiver), webhooks, health, metrics
// (unless METRICS_PORT gives metrics a listener of their own).

import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from "node:http";
import type { Logger } from "../log";
import type { Metrics } from "../metrics";
import { bearerTokenMatches } from "./auth";
import { sendJson, sendText } from "./respond";

/** A route a feature hands in (webhooks, the calendar): platform code knows no feature. */
export interface ExtraRoute {
  readonly prefix: string;
  readonly handle: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;
}

export interface ServerDeps {
  readonly metrics: Metrics;
  readonly log: Logger;
  /** Bolt's request listener for /slack/events; null in Socket Mode. */
  readonly slackListener: RequestListener | null;
  readonly ready: () => Promise<{ ok: boolean; checks: Record<string, string> }>;
  readonly extraRoutes?: readonly ExtraRoute[];
  /** Refresh gauges (queue depth) right before a scrape. */
  readonly beforeScrape?: () => Promise<void>;
  /** False when /metrics has a listener of its own (METRICS_PORT): the public one answers 404. */
  readonly metricsOnPublic?: boolean;
  /** Bearer token /metrics requires (METRICS_TOKEN); null or absent: none. */
  readonly metricsToken?: string | null;
}

type MetricsDeps = Pick<ServerDeps, "metrics" | "log" | "beforeScrape" | "metricsToken">;

async function serveMetrics(req: IncomingMessage, res: ServerResponse, deps: MetricsDeps): Promise<void> {
  req.resume();
  if (deps.metricsToken && !bearerTokenMatches(req.headers.authorization, deps.metricsToken)) {
    return sendJson(
      res,
      401,
      { error: "/metrics needs Authorization: Bearer <METRICS_TOKEN>" },
      {
        "www-authenticate": "Bearer",
      },
    );
  }
  await deps.beforeScrape?.().catch(() => undefined);
  return sendText(res, 200, await deps.metrics.registry.metrics(), deps.metrics.registry.contentType);
}

/** The internal listener of METRICS_PORT: /metrics only, kept off the public address. */
export function createMetricsServer(deps: MetricsDeps): Server {
  return createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const done =
      path === "/metrics"
        ? serveMetrics(req, res, deps)
        : Promise.resolve(req.resume()).then(() => sendJson(res, 404, { error: "only /metrics here" }));
    done.catch((err: Error) => {
      deps.log.error({ err, url: req.url }, "metrics request failed");
      sendJson(res, 500, { error: "internal error" });
    });
  });
}

export function createHttpServer(deps: ServerDeps): Server {
  return createServer((req, res) => {
    route(req, res, deps).catch((err: Error) => {
      deps.log.error({ err, url: req.url }, "request failed");
      sendJson(res, 500, { error: "internal error" });
    });
  });
}

async function route(req: IncomingMessage, res: ServerResponse, deps: ServerDeps): Promise<void> {
  let url: URL;
  try {
    url = new URL(req.url ?? "/", "http://localhost");
  } catch {
    // A request target such as "//[" is the sender's mistake: a 400, never the 500 of a crash.
    req.resume();
    return sendJson(res, 400, { error: `malformed request target: ${JSON.stringify(req.url)}` });
  }
  const path = url.pathname;
  if (path === "/slack/events" && deps.slackListener) return deps.slackListener(req, res);
  if (path === "/healthz") return sendJson(res, 200, { status: "ok" });
  if (path === "/readyz") {
    const r = await deps.ready();
    return sendJson(res, r.ok ? 200 : 503, { status: r.ok ? "ready" : "not ready", checks: r.checks });
  }
  if (path === "/metrics" && deps.metricsOnPublic !== false) return serveMetrics(req, res, deps);
  for (const extra of deps.extraRoutes ?? []) {
    if (path.startsWith(extra.prefix)) return extra.handle(req, res, url);
  }
  req.resume();
  sendJson(res, 404, { error: `no route for ${req.method} ${path}` });
}
