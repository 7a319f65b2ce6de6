import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { HandlerAbortedError, HttpNetworkError, HttpStatusError } from "../../handlers/errors";
import { httpRequestHandler } from "../../handlers/http-request";
import { contextFor, type TestContextOptions } from "./helpers";

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

interface TestServer {
  base: string;
  received: Received[];
  close(): Promise<void>;
}

const servers: TestServer[] = [];

async function startServer(respond: (req: Received, res: ServerResponse) => void): Promise<TestServer> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      received.push(r);
      respond(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const handle: TestServer = {
    base: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(handle);
  return handle;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function status(code: number, body = "") {
  return (_req: Received, res: ServerResponse) => {
    res.statusCode = code;
    res.end(body);
  };
}

function run(params: unknown, options?: TestContextOptions) {
  return httpRequestHandler.run(contextFor(httpRequestHandler, params, options));
}

describe("http-request", () => {
  it("POSTs by default and succeeds on 2xx with a one-line summary", async () => {
    const server = await startServer(status(204));
    const outcome = await run({ url: `${server.base}/flush` });

    expect(outcome.ok).toBe(true);
    expect(outcome.summary).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/flush → 204 in \d+ ms$/);
    expect(server.received).toHaveLength(1);
    expect(server.received[0]!.method).toBe("POST");
    expect(server.received[0]!.headers["idempotency-key"]).toBe("a1b2c3:f00dfeed");
  });

  it("uses 'group' in the Idempotency-Key when the alert has no fingerprint, and keeps a runbook's own key", async () => {
    const server = await startServer(status(200, "done"));
    await run({ url: `${server.base}/a` }, { alert: { fingerprint: null } });
    await run({ url: `${server.base}/b`, headers: { "Idempotency-Key": "mine" } });

    expect(server.received.map((r) => r.headers["idempotency-key"])).toEqual(["a1b2c3:group", "mine"]);
  });

  it("includes the response body in details, capped at 500 characters", async () => {
    const server = await startServer(status(200, "x".repeat(10_000)));
    const outcome = await run({ method: "GET", url: `${server.base}/big` });

    expect(outcome.ok).toBe(true);
    expect(outcome.details).toHaveLength(500);
  });

  it("fills labels, annotations and alert fields into URL, headers and JSON body", async () => {
    const server = await startServer(status(200));
    const outcome = await run({
      method: "PUT",
      url: `${server.base}/services/{{labels.job}}/flush?instance={{labels.instance}}`,
      headers: { "X-Alert": "{{alert.name}} on {{labels.job}}" },
      body: {
        service: "{{labels.job}}",
        notes: [{ text: "{{annotations.summary}}" }],
        id: "{{alert.id}}",
        n: 3,
      },
    });

    expect(outcome.ok).toBe(true);
    const got = server.received[0]!;
    expect(got.method).toBe("PUT");
    expect(got.url).toBe("/services/stream-api/flush?instance=stream-api-7f9c%3A9090");
    expect(got.headers["x-alert"]).toBe("HighErrorRate on stream-api");
    expect(got.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(got.body)).toEqual({
      service: "stream-api",
      notes: [{ text: "stream-api 5xx ratio above 5%" }],
      id: "a1b2c3",
      n: 3,
    });
    // The summary hides the query string, which often carries tokens.
    expect(outcome.summary).toMatch(/\/services\/stream-api\/flush\?… → 200 in/);
  });

  it("keeps hostile label values inside their URL component and JSON string", async () => {
    const server = await startServer(status(200));
    const labels = {
      job: "../evil?x=1&y",
      target: "http://other-host",
      json: '", "admin": true, "x": "',
      nested: "{{alert.id}}",
    };
    const outcome = await run(
      {
        url: `${server.base}/svc/{{labels.job}}/go?target={{labels.target}}`,
        body: { value: "{{labels.json}}", literal: "{{labels.nested}}" },
      },
      { alert: { labels } },
    );

    expect(outcome.ok).toBe(true);
    const got = server.received[0]!;
    expect(got.headers.host).toBe(new URL(server.base).host);
    expect(got.url).toBe("/svc/..%2Fevil%3Fx%3D1%26y/go?target=http%3A%2F%2Fother-host");
    const parsed = new URL(got.url, server.base);
    expect([...parsed.searchParams.keys()]).toEqual(["target"]);
    expect(parsed.searchParams.get("target")).toBe("http://other-host");
    expect(JSON.parse(got.body)).toEqual({ value: labels.json, literal: "{{alert.id}}" });
  });

  it("refuses a label that is a dot segment, without sending", async () => {
    const server = await startServer(status(200));
    const outcome = await run(
      { url: `${server.base}/svc/{{labels.job}}/restart` },
      { alert: { labels: { job: ".." } } },
    );

    expect(outcome.ok).toBe(false);
    expect(outcome.summary).toContain("labels.job");
    expect(server.received).toHaveLength(0);
  });

  it("throws a retryable HttpStatusError on 500", async () => {
    const server = await startServer(status(500, "backend exploded"));
    const error = await run({ url: `${server.base}/flush` }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error).toMatchObject({ status: 500, bodySnippet: "backend exploded", retryable: true });
    expect((error as Error).message).toMatch(/POST .*\/flush → 500 in \d+ ms: backend exploded/);
  });

  it("returns ok:false (no retry) on 404", async () => {
    const server = await startServer(status(404, "no such cache"));
    const outcome = await run({ url: `${server.base}/flush` });

    expect(outcome.ok).toBe(false);
    expect(outcome.summary).toMatch(/→ 404 in \d+ ms$/);
    expect(outcome.details).toBe("no such cache");
  });

  it("honours expect_status", async () => {
    const server = await startServer(status(200));
    const outcome = await run({ url: `${server.base}/x`, expect_status: [202] });
    expect(outcome).toMatchObject({ ok: false });
    expect(outcome.summary).toContain("(expected 202)");

    const accepted = await run({ url: `${server.base}/x`, expect_status: [200, 202] });
    expect(accepted.ok).toBe(true);
  });

  it("aborts promptly when the signal fires on a server that never answers", async () => {
    const server = await startServer(() => {
      /* never answers */
    });
    const started = Date.now();
    const error = await run({ url: `${server.base}/hang` }, { signal: AbortSignal.timeout(200) }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(HandlerAbortedError);
    expect((error as Error).message).toContain("timed out");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("throws a retryable HttpNetworkError when nothing listens", async () => {
    const server = await startServer(status(200));
    const base = server.base;
    await server.close();
    const error = await run({ url: `${base}/flush` }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HttpNetworkError);
    expect((error as Error).message).toContain("ECONNREFUSED");
  });

  it("refuses an unknown template reference without sending", async () => {
    const server = await startServer(status(200));
    const outcome = await run({ url: `${server.base}/x`, body: { who: "{{labels.nope}}" } });

    expect(outcome.ok).toBe(false);
    expect(outcome.summary).toContain("{{labels.nope}}");
    expect(server.received).toHaveLength(0);
  });

  it("refuses a label with CR/LF bound for a header, naming the label", async () => {
    const server = await startServer(status(200));
    const ctx = contextFor(
      httpRequestHandler,
      { url: `${server.base}/x`, headers: { "X-Service": "{{labels.job}}" } },
      { alert: { labels: { job: "api\r\nX-Injected: 1" } } },
    );
    const outcome = await httpRequestHandler.run(ctx);

    expect(outcome.ok).toBe(false);
    expect(outcome.summary).toContain("labels.job");
    expect(outcome.summary).toContain("X-Service");
    expect(server.received).toHaveLength(0);
    expect(ctx.logs.some((l) => l.level === "warn")).toBe(true);
  });

  it("returns ok:false, not a TypeError, for a label a header cannot carry", async () => {
    const server = await startServer(status(200));
    for (const job of ["caf\u20ac-api", "api\u0007"]) {
      const outcome = await run(
        { url: `${server.base}/x`, headers: { "X-Service": "{{labels.job}}" } },
        { alert: { labels: { job } } },
      );

      expect(outcome.ok).toBe(false);
      expect(outcome.summary).toContain("labels.job");
      expect(outcome.summary).toContain("X-Service");
    }
    expect(server.received).toHaveLength(0);
  });

  it("refuses at config load a header value that fetch could never send", () => {
    const result = httpRequestHandler.params.safeParse({
      url: "http://x.internal/flush",
      headers: { "X-Region": "m\u00fcnchen", "X-Note": "\u2192 flush" },
    });

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join("."))).toEqual(["headers.X-Note"]);
  });
});
