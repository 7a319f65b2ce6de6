// Calls an HTTP endpoint, e.g. a service's cache-flush or scale-up hook.
//
// The endpoint must be safe to call more than once: the queue retries 5xx, timeouts and network
// errors, and a request may have reached the server before the connection broke. Every request
// carries an `Idempotency-Key` (unless the runbook sets one) so the receiver can recognise a retry of
// the same remediation and do the work once: the run's id from the queue, which every attempt of
// one run shares and a new run does not (`<alert id>:<fingerprint or "group">` outside the queue).

import { z } from "zod";
import { defineHandler } from "./define";
import { HandlerAbortedError, HttpNetworkError, HttpStatusError, TemplateError } from "./errors";
import { type Encoder, mapJsonStrings, renderTemplate, templatedString, templateProblems } from "./template";
import type { RemediationAlert } from "./types";

const NAME = "http-request";
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
// RFC 9110 token.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const LINE_BREAK = /[\r\n\0]/;
// Field values may not hold other control characters either (RFC 9110), and fetch cannot send a
// character above U+00FF at all: it throws a TypeError instead of sending.
const NOT_FIELD_TEXT = /[^\t\x20-\x7e\x80-\xff]/;
const BODY_SNIPPET_CHARS = 500;
const ANY_TEMPLATE = /\{\{[^{}]*\}\}/g;

function checkUrl(url: string, ctx: z.core.$RefinementCtx<string>): void {
  const firstTemplate = url.indexOf("{{");
  if (firstTemplate >= 0 && !/^https?:\/\/[^/?#]*[/?#]/i.test(url.slice(0, firstTemplate))) {
    ctx.addIssue({
      code: "custom",
      message:
        "templates may only appear in the URL's path, query or fragment: the scheme, host and port are " +
        "fixed so that an alert's labels cannot send the request elsewhere",
    });
    return;
  }
  let probe: URL;
  try {
    probe = new URL(url.replace(ANY_TEMPLATE, "x"));
  } catch {
    ctx.addIssue({ code: "custom", message: `"${url}" is not an absolute URL like http://host:8080/path` });
    return;
  }
  if (probe.protocol !== "http:" && probe.protocol !== "https:") {
    ctx.addIssue({ code: "custom", message: `"${url}" must use http or https, not ${probe.protocol}` });
  }
}

const headersSchema = z.record(z.string(), templatedString()).superRefine((headers, ctx) => {
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) {
      ctx.addIssue({ code: "custom", path: [name], message: `"${name}" is not a valid HTTP header name` });
    }
    if (LINE_BREAK.test(value)) {
      ctx.addIssue({ code: "custom", path: [name], message: "header values cannot contain line breaks" });
    } else if (NOT_FIELD_TEXT.test(value)) {
      ctx.addIssue({
        code: "custom",
        path: [name],
        message:
          "header values can only hold printable Latin-1 text (no control characters, nothing above U+00FF)",
      });
    }
  }
});

const bodySchema = z.json().superRefine((body, ctx) => {
  mapJsonStrings(body, (s) => {
    for (const message of templateProblems(s)) ctx.addIssue({ code: "custom", message });
    return s;
  });
});

const paramsSchema = z
  .strictObject({
    method: z.enum(METHODS).default("POST"),
    url: templatedString({
      error: (issue) =>
        issue.input === undefined ? "url is required: the endpoint to call" : "url must be a string",
    }).superRefine(checkUrl),
    headers: headersSchema.optional(),
    body: bodySchema.optional(),
    expect_status: z
      .array(z.int().min(100).max(599), {
        error: "expect_status must be a list of status codes, e.g. [200, 204]",
      })
      .min(1)
      .optional(),
  })
  .superRefine((p, ctx) => {
    if (p.method === "GET" && p.body !== undefined) {
      ctx.addIssue({ code: "custom", path: ["body"], message: "a GET request cannot have a body; use POST" });
    }
  });

type Params = z.infer<typeof paramsSchema>;

interface PreparedRequest {
  readonly url: URL;
  readonly headers: Headers;
  readonly body: string | undefined;
}

// encodeURIComponent escapes "/", "?", "&", "#", ":" and "@", so a value stays one path segment or
// query value. "." and ".." survive encoding (and WHATWG URL treats "%2e" as a dot too), so they
// could walk up the path: refuse them.
const urlComponent: Encoder = (value, ref) => {
  if (value === "." || value === "..") {
    throw new TemplateError(`{{${ref.text}}} is "${value}", which would change the URL's path`, ref.text);
  }
  try {
    return encodeURIComponent(value);
  } catch {
    throw new TemplateError(`{{${ref.text}}} is not valid Unicode text`, ref.text);
  }
};

function headerValue(header: string): Encoder {
  return (value, ref) => {
    if (LINE_BREAK.test(value)) {
      throw new TemplateError(
        `{{${ref.text}}} contains a line break or NUL; refusing to put it in header ${header}`,
        ref.text,
      );
    }
    if (NOT_FIELD_TEXT.test(value)) {
      throw new TemplateError(
        `{{${ref.text}}} contains a control character or a character above U+00FF, which header ${header} cannot carry`,
        ref.text,
      );
    }
    return value;
  };
}

/** Fills in the templates; throws TemplateError when the alert's data cannot be used safely. */
function prepare(params: Params, alert: RemediationAlert): PreparedRequest {
  let url: URL;
  const rendered = renderTemplate(params.url, alert, urlComponent);
  try {
    url = new URL(rendered);
  } catch {
    throw new TemplateError(`"${rendered}" is not a valid URL after filling in templates`, "url");
  }
  // Belt and braces for params that did not go through the schema.
  if (url.origin !== new URL(params.url.replace(ANY_TEMPLATE, "x")).origin) {
    throw new TemplateError(`filling in templates changed the URL's host (${url.origin})`, "url");
  }

  const headers = new Headers();
  for (const [name, template] of Object.entries(params.headers ?? {})) {
    headers.set(name, renderTemplate(template, alert, headerValue(name)));
  }
  if (!headers.has("idempotency-key")) {
    headers.set("idempotency-key", alert.runId ?? `${alert.id}:${alert.fingerprint ?? "group"}`);
  }

  let body: string | undefined;
  if (params.body !== undefined) {
    // Values land inside JSON strings via JSON.stringify, so they cannot add keys or change types.
    body = JSON.stringify(mapJsonStrings(params.body, (s) => renderTemplate(s, alert)));
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  return { url, headers, body };
}

/** Query strings often carry tokens and the summary goes to Slack: show only that there is one. */
function displayUrl(url: URL): string {
  return `${url.origin}${url.pathname}${url.search ? "?…" : ""}`;
}

async function readSnippet(res: Response, limit: number): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (text.length <= limit) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    text += decoder.decode();
  } finally {
    // Don't download the rest of a large body just to throw it away.
    await reader.cancel().catch(() => {});
  }
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 425 || status === 429;
}

function describeFetchError(error: unknown): string {
  // undici reports "fetch failed" and puts the useful part (ECONNREFUSED…) in `cause`.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? cause.message || cause.name : String(cause);
}

function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export const httpRequestHandler = defineHandler({
  name: NAME,
  description:
    "Sends an HTTP request (default POST) to an idempotent endpoint; alert labels can be filled into " +
    "the URL path/query, headers and JSON body.",
  params: paramsSchema,
  timeoutMs: 10_000,

  async run(ctx) {
    const { method, expect_status } = ctx.params;
    let request: PreparedRequest;
    try {
      request = prepare(ctx.params, ctx.alert);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      ctx.log.warn("http-request refused to send", { reference: error.reference, reason: error.message });
      return { ok: false, summary: `${method} not sent: ${error.message}` };
    }

    const target = `${method} ${displayUrl(request.url)}`;
    const started = performance.now();
    let status: number;
    let snippet: string;
    try {
      const res = await fetch(request.url, {
        method,
        headers: request.headers,
        body: request.body ?? null,
        signal: ctx.signal,
      });
      status = res.status;
      snippet = await readSnippet(res, BODY_SNIPPET_CHARS);
    } catch (error) {
      if (ctx.signal.aborted) throw new HandlerAbortedError(NAME, ctx.signal);
      throw new HttpNetworkError(`${target} failed: ${describeFetchError(error)}`, { cause: error });
    }
    const line = `${target} → ${status} in ${Math.round(performance.now() - started)} ms`;
    const details = snippet ? { details: snippet } : {};

    const expected = expect_status ? expect_status.includes(status) : status >= 200 && status < 300;
    if (expected) return { ok: true, summary: line, ...details };
    if (isRetryableStatus(status)) {
      throw new HttpStatusError(snippet ? `${line}: ${oneLine(snippet, 200)}` : line, status, snippet);
    }
    const wanted = expect_status ? ` (expected ${expect_status.join(" or ")})` : "";
    return { ok: false, summary: `${line}${wanted}`, ...details };
  },
});
