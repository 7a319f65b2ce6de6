import { describe, expect, it } from "vitest";
import { z } from "zod";
import { handlerRegistry } from "../../handlers/registry";

function problems(handler: string, params: unknown): string {
  const schema = handlerRegistry.get(handler)!.params;
  const result = schema.safeParse(params);
  if (result.success) throw new Error(`expected ${JSON.stringify(params)} to be rejected`);
  return z.prettifyError(result.error);
}

function accepts(handler: string, params: unknown): unknown {
  return handlerRegistry.get(handler)!.params.parse(params);
}

describe("handler registry", () => {
  it("holds the built-in handlers by name", () => {
    expect([...handlerRegistry.keys()].sort()).toEqual(["command", "http-request", "wait-and-recheck"]);
    for (const [name, handler] of handlerRegistry) {
      expect(handler.name).toBe(name);
      expect(handler.description.length).toBeGreaterThan(20);
      expect(handler.timeoutMs).toBeGreaterThan(0);
    }
    expect(handlerRegistry.get("http-request")!.timeoutMs).toBe(10_000);
    expect(handlerRegistry.get("command")!.timeoutMs).toBe(60_000);
    // Only the check after the wait: the wait itself is a delayed job.
    expect(handlerRegistry.get("wait-and-recheck")!.timeoutMs).toBe(60_000);
  });

  describe("http-request params", () => {
    it("accepts the runbook shapes and applies defaults", () => {
      expect(accepts("http-request", { url: "http://cache:8080/flush" })).toEqual({
        method: "POST",
        url: "http://cache:8080/flush",
      });
      expect(
        accepts("http-request", {
          method: "PATCH",
          url: "https://api.internal/services/{{labels.job}}?reason={{alert.name}}",
          headers: { Authorization: "Bearer abc", "X-Alert": "{{alert.id}}" },
          body: { replicas: 3, service: "{{labels.job}}", tags: ["a", null, true] },
          expect_status: [200, 202],
        }),
      ).toMatchObject({ method: "PATCH", expect_status: [200, 202] });
    });

    it("rejects bad params with messages that say what to change", () => {
      expect(problems("http-request", {})).toContain("url is required");
      expect(problems("http-request", { url: "http://x/", method: "FETCH" })).toMatch(
        /expected one of "GET"\|"POST".*\n.*at method/,
      );
      expect(problems("http-request", { url: "http://x/", urll: "typo" })).toContain(
        'Unrecognized key: "urll"',
      );
      expect(problems("http-request", { url: "/relative" })).toContain("is not an absolute URL");
      expect(problems("http-request", { url: "ftp://x/" })).toContain("must use http or https");
      expect(problems("http-request", { url: "http://{{labels.host}}/flush" })).toContain(
        "templates may only appear in the URL's path",
      );
      expect(problems("http-request", { url: "http://x:{{labels.port}}/" })).toContain(
        "templates may only appear",
      );
      expect(problems("http-request", { url: "http://x/{{label.job}}" })).toContain(
        'unknown template reference "{{label.job}}"',
      );
      expect(problems("http-request", { url: "http://x/{{labels.job}" })).toContain("unbalanced");
      expect(problems("http-request", { url: "http://x/", body: { a: "{{alert.severity}}" } })).toContain(
        "unknown template reference",
      );
      expect(problems("http-request", { url: "http://x/", method: "GET", body: {} })).toContain(
        "a GET request cannot have a body",
      );
      expect(problems("http-request", { url: "http://x/", expect_status: [99] })).toContain("expect_status");
      expect(problems("http-request", { url: "http://x/", expect_status: 200 })).toContain(
        "expect_status must be a list",
      );
      expect(problems("http-request", { url: "http://x/", headers: { "Bad Header": "x" } })).toContain(
        '"Bad Header" is not a valid HTTP header name',
      );
      expect(problems("http-request", { url: "http://x/", headers: { "X-A": "a\r\nb" } })).toContain(
        "line breaks",
      );
    });
  });

  describe("command params", () => {
    it("accepts the runbook shapes", () => {
      expect(
        accepts("command", {
          executable: "./scripts/restart.sh",
          args: ["--service", "{{labels.job}}"],
          cwd: "/srv/runbooks",
          env: { REGION: "eu-1" },
        }),
      ).toMatchObject({ executable: "./scripts/restart.sh" });
      expect(accepts("command", { executable: "true" })).toEqual({ executable: "true" });
    });

    it("rejects bad params with messages that say what to change", () => {
      expect(problems("command", {})).toContain("executable is required");
      expect(problems("command", { executable: "" })).toContain("executable cannot be empty");
      expect(problems("command", { executable: "/bin/{{labels.x}}" })).toContain(
        "executable cannot hold templates",
      );
      expect(problems("command", { executable: "x", args: "--all" })).toContain(
        "args must be a list of strings",
      );
      expect(problems("command", { executable: "x", args: ["--port", 8080] })).toMatch(/args\[1\]/);
      expect(problems("command", { executable: "x", args: ["{{labels}}"] })).toContain(
        "unknown template reference",
      );
      expect(problems("command", { executable: "x", env: { RETRIES: 3 } })).toContain(
        "quote numbers in YAML",
      );
      expect(problems("command", { executable: "x", env: { "BAD-NAME": "1" } })).toContain(
        "not a valid environment variable name",
      );
      expect(problems("command", { executable: "x", env: { ALERT_JOB: "x" } })).toContain("reserved");
      expect(problems("command", { executable: "x", shell: true })).toContain('Unrecognized key: "shell"');
    });
  });

  describe("wait-and-recheck params", () => {
    it("accepts durations up to 1h", () => {
      for (const wait of ["50ms", "30s", "2m", "1h", "60m"])
        expect(accepts("wait-and-recheck", { wait })).toEqual({ wait });
    });

    it("rejects bad durations with messages that say what to change", () => {
      expect(problems("wait-and-recheck", {})).toContain("wait must be a duration");
      expect(problems("wait-and-recheck", { wait: 30 })).toContain("wait must be a duration");
      expect(problems("wait-and-recheck", { wait: "2 minutes" })).toContain(
        '"2 minutes" is not a duration such as "30s"',
      );
      expect(problems("wait-and-recheck", { wait: "2h" })).toContain("at most 1h");
      expect(problems("wait-and-recheck", { wait: "61m" })).toContain("at most 1h");
      expect(problems("wait-and-recheck", { wait: "0s" })).toContain("longer than 0");
      expect(problems("wait-and-recheck", { wait: "1m", extra: 1 })).toContain("Unrecognized key");
    });
  });
});
