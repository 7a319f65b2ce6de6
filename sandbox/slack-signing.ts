// Slack's request signing (v0): HMAC-SHA256 over "v0:<timestamp>:<raw body>". Bolt verifies it;
// the tests and the sandbox page produce it, so both sides share this one definition.

import { createHmac } from "node:crypto";

export const SLACK_SIGNATURE_VERSION = "v0";

/** Returns the `X-Slack-Signature` value, e.g. "v0=a2114d57…". The body must be byte-exact. */
export function computeSlackSignature(
  secret: string,
  rawBody: string,
  timestampSec: number | string,
): string {
  const base = `${SLACK_SIGNATURE_VERSION}:${timestampSec}:${rawBody}`;
  return `${SLACK_SIGNATURE_VERSION}=${createHmac("sha256", secret).update(base, "utf8").digest("hex")}`;
}

export interface SlackSignedHeaders {
  readonly "Content-Type": "application/x-www-form-urlencoded";
  readonly "X-Slack-Request-Timestamp": string;
  readonly "X-Slack-Signature": string;
}

export function signSlackRequest(
  secret: string,
  rawBody: string,
  timestampSec: number = Math.floor(Date.now() / 1000),
): SlackSignedHeaders {
  return {
    "Content-Type": "application/x-www-form-urlencoded",
    "X-Slack-Request-Timestamp": String(timestampSec),
    "X-Slack-Signature": computeSlackSignature(secret, rawBody, timestampSec),
  };
}
