// The Alertmanager API v2 client of the Silence button: create a silence, expire it. Which
// Alertmanager a page talks to: its rotation's `alertmanager:` (secrets from the environment
// variables it names), else ALERTMANAGER_URL's. Credentials go into headers only, never into a log
// line or an error message.

import { type AlertmanagerTarget, authorizationOf, type Settings } from "../../config/env";
import type { OncallConfig } from "../../core/config";
import { CodedError, ErrorCode } from "../../platform/errors";
import type { Matcher } from "./rules";

/** Slack waits for the person; a silence that takes longer than this is reported as unreachable. */
export const ALERTMANAGER_TIMEOUT_MS = 5_000;

export class AlertmanagerError extends CodedError {
  readonly code = ErrorCode.AlertmanagerError;

  constructor(
    message: string,
    /** Where it was asked (base URL, no credentials). */
    readonly url: string,
    /** The HTTP status; null when no answer came. */
    readonly status: number | null,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A rotation's Alertmanager whose secret variable is missing: the bot refuses to start. */
export class AlertmanagerConfigError extends CodedError {
  readonly code = ErrorCode.SettingsError;
}

export interface NewSilence {
  readonly matchers: readonly Matcher[];
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly createdBy: string;
  readonly comment: string;
}

/** The Alertmanager of each rotation (null: none), decided once at start. */
export type AlertmanagerFor = (rotationId: string) => AlertmanagerTarget | null;

/**
 * Resolves every rotation's `alertmanager:` against the environment. Throws naming the rotation's
 * file and field when a variable it names is unset.
 */
export function alertmanagerTargets(
  config: OncallConfig,
  settings: Pick<Settings, "alertmanager">,
  env: NodeJS.ProcessEnv,
): AlertmanagerFor {
  const byRotation = new Map<string, AlertmanagerTarget>();
  const problems: string[] = [];
  for (const r of config.rotations) {
    const am = r.alertmanager;
    if (!am) continue;
    const field = `schedules/rotations/${r.id}.yaml: alertmanager.`;
    const secret = (name: string, where: string) => {
      const v = env[name]?.trim() ?? "";
      if (!v) problems.push(`${field}${where} names ${name}, which is not set in the environment`);
      return v;
    };
    const authorization = authorizationOf(
      am.auth?.kind === "bearer"
        ? { token: secret(am.auth.tokenEnv, "bearer_token_env") }
        : am.auth?.kind === "basic"
          ? { username: am.auth.username, password: secret(am.auth.passwordEnv, "basic_auth.password_env") }
          : null,
    );
    byRotation.set(r.id, { url: am.url, authorization });
  }
  if (problems.length) {
    throw new AlertmanagerConfigError(problems.join("; "));
  }
  const global = settings.alertmanager ?? null;
  return (rotationId) => byRotation.get(rotationId) ?? global;
}

function headers(target: AlertmanagerTarget): Record<string, string> {
  return {
    "content-type": "application/json",
    accept: "application/json",
    ...(target.authorization ? { authorization: target.authorization } : {}),
  };
}

async function call(
  target: AlertmanagerTarget,
  method: "POST" | "DELETE",
  path: string,
  body?: unknown,
): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(`${target.url}${path}`, {
      method,
      headers: headers(target),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(ALERTMANAGER_TIMEOUT_MS),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new AlertmanagerError(`Alertmanager at ${target.url} did not answer (${cause})`, target.url, null, {
      cause: err,
    });
  }
  if (res.ok) return res;
  const text = (await res.text().catch(() => "")).slice(0, 300).trim();
  throw new AlertmanagerError(
    `Alertmanager at ${target.url} answered ${res.status}${text ? `: ${text}` : ""}`,
    target.url,
    res.status,
  );
}

/** POST /api/v2/silences; returns the new silence's id. */
export async function createSilence(target: AlertmanagerTarget, s: NewSilence): Promise<string> {
  const res = await call(target, "POST", "/api/v2/silences", {
    matchers: s.matchers,
    startsAt: s.startsAt.toISOString(),
    endsAt: s.endsAt.toISOString(),
    createdBy: s.createdBy,
    comment: s.comment,
  });
  const body = (await res.json().catch(() => null)) as { silenceID?: unknown } | null;
  if (typeof body?.silenceID !== "string" || !body.silenceID) {
    throw new AlertmanagerError(
      `Alertmanager at ${target.url} created a silence but named no silenceID`,
      target.url,
      res.status,
    );
  }
  return body.silenceID;
}

/**
 * DELETE /api/v2/silence/{id}. A silence Alertmanager no longer has is expired as far as anyone can
 * tell: not an error (Alertmanager 0.25 answers it 500 "silence not found"; an expired one, 200).
 */
export async function expireSilence(target: AlertmanagerTarget, id: string): Promise<void> {
  try {
    await call(target, "DELETE", `/api/v2/silence/${encodeURIComponent(id)}`);
  } catch (err) {
    const gone =
      err instanceof AlertmanagerError && (err.status === 404 || /silence not found/i.test(err.message));
    if (!gone) throw err;
  }
}
