// One HTTP server for everything: Slack's endpoint (Bolt's receiver), webhooks, health, metrics.

import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from "node:http";
import type { Logger } from "../log";
import type { Metrics } from "../metrics";
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
  if (path === "/metrics") {
    await deps.beforeScrape?.().catch(() => undefined);
    return sendText(res, 200, await deps.metrics.registry.metrics(), deps.metrics.registry.contentType);
  }
  for (const extra of deps.extraRoutes ?? []) {
    if (path.startsWith(extra.prefix)) return extra.handle(req, res, url);
  }
  req.resume();
  sendJson(res, 404, { error: `no route for ${req.method} ${path}` });
}
