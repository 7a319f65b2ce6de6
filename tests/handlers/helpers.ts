import { readFileSync } from "node:fs";
import type { z } from "zod";
import type { HandlerContext, RemediationAlert, RemediationHandler } from "../../handlers/types";

export const baseAlert: RemediationAlert = {
  id: "a1b2c3",
  name: "HighErrorRate",
  occurrence: 1,
  labels: { alertname: "HighErrorRate", job: "stream-api", instance: "stream-api-7f9c:9090" },
  annotations: { summary: "stream-api 5xx ratio above 5%" },
  fingerprint: "f00dfeed",
};

export interface LogEntry {
  level: "info" | "warn";
  msg: string;
  data?: Record<string, unknown>;
}

export interface TestContextOptions {
  alert?: Partial<RemediationAlert>;
  signal?: AbortSignal;
  isResolved?: () => Promise<boolean>;
}

/** Parses raw params the way the config loader does, then builds the context the worker would. */
export function contextFor<S extends z.ZodType>(
  handler: RemediationHandler<S>,
  rawParams: unknown,
  options: TestContextOptions = {},
): HandlerContext<z.infer<S>> & { logs: LogEntry[] } {
  const logs: LogEntry[] = [];
  return {
    alert: { ...baseAlert, ...options.alert },
    params: handler.params.parse(rawParams),
    signal: options.signal ?? new AbortController().signal,
    log: {
      info: (msg, data) => logs.push({ level: "info", msg, ...(data ? { data } : {}) }),
      warn: (msg, data) => logs.push({ level: "warn", msg, ...(data ? { data } : {}) }),
    },
    isResolved: options.isResolved ?? (async () => false),
    logs,
  };
}

/** Alive means running: a zombie waiting for init to reap it counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

export async function waitUntil(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}
