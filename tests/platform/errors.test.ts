// The coded error base: every error class the bot raises has its own code, is a CodedError (and an
// Error, and its own class), and carries the data someone needs to fix what went wrong.

import { describe, expect, it } from "vitest";
import * as handler from "../../handlers/errors";
import { SettingsError } from "../../src/config/env";
import { ConfigError } from "../../src/config/errors";
import { ParseError, parseDuration } from "../../src/config/parse";
import { IntakeError } from "../../src/features/paging/intake/types";
import { AlertmanagerError } from "../../src/features/silences/alertmanager";
import { asCodedError, CodedError, ErrorCode, isCodedError, UnknownError } from "../../src/platform/errors";
import { BodyTooLargeError } from "../../src/platform/http/respond";
import { RedisConnectionError } from "../../src/platform/redis/client";
import { ReplicaAckError } from "../../src/platform/redis/replication";
import { ConflictError } from "../../src/platform/redis/store";
import { SlackCallError } from "../../src/platform/slack/api";
import { UsageError } from "../../src/platform/slack/commands";

const issue = {
  file: "schedules/teams.yaml",
  line: 12,
  field: "teams[1].timezone",
  message: '"Europe/Berlinn" is not an IANA time zone',
};

/** One of each kind, with what it should carry. */
const samples: ReadonlyArray<{
  err: CodedError;
  cls: abstract new (...a: never[]) => CodedError;
  data: object;
}> = [
  { err: new ConfigError([issue]), cls: ConfigError, data: { issues: [issue] } },
  {
    err: new SettingsError(["SLACK_BOT_TOKEN is required"]),
    cls: SettingsError,
    data: { problems: ["SLACK_BOT_TOKEN is required"] },
  },
  {
    err: new ParseError("duration", "15x", "not a duration"),
    cls: ParseError,
    data: { kind: "duration", input: "15x" },
  },
  {
    err: new IntakeError("alerts[0].labels", "is required"),
    cls: IntakeError,
    data: { field: "alerts[0].labels", issues: [{ field: "alerts[0].labels", message: "is required" }] },
  },
  { err: new BodyTooLargeError(1024), cls: BodyTooLargeError, data: { limit: 1024 } },
  {
    err: new SlackCallError("chat.postMessage", { kind: "permanent", error: "channel_not_found" }),
    cls: SlackCallError,
    data: { method: "chat.postMessage", failure: { kind: "permanent", error: "channel_not_found" } },
  },
  {
    err: new RedisConnectionError("redis://:***@db:6379", "ECONNREFUSED"),
    cls: RedisConnectionError,
    data: { url: "redis://:***@db:6379" },
  },
  {
    err: new ReplicaAckError(1, 0, 500),
    cls: ReplicaAckError,
    data: { wanted: 1, acked: 0, timeoutMs: 500 },
  },
  { err: new UsageError("Name the team"), cls: UsageError, data: { message: "Name the team" } },
  {
    err: new ConflictError("incident", "INC-3", 8),
    cls: ConflictError,
    data: { subject: "incident", id: "INC-3", attempts: 8 },
  },
  {
    err: new handler.RetryableHandlerError("flaky"),
    cls: handler.RetryableHandlerError,
    data: { message: "flaky", retryable: true },
  },
  {
    err: new handler.HandlerAbortedError("restart-pod", AbortSignal.abort()),
    cls: handler.HandlerAbortedError,
    data: { handler: "restart-pod", retryable: true },
  },
  {
    err: new handler.HttpStatusError("503 from the endpoint", 503, "busy"),
    cls: handler.HttpStatusError,
    data: { status: 503, bodySnippet: "busy" },
  },
  {
    err: new handler.HttpNetworkError("connection refused"),
    cls: handler.HttpNetworkError,
    data: { retryable: true },
  },
  {
    err: new handler.CommandExitError("exited with code 2", 2, null, "no such pod"),
    cls: handler.CommandExitError,
    data: { exitCode: 2, exitSignal: null, stderrTail: "no such pod" },
  },
  {
    err: new handler.TemplateError("unknown reference", "labels.instance"),
    cls: handler.TemplateError,
    data: { reference: "labels.instance" },
  },
  {
    err: new AlertmanagerError("Alertmanager did not answer", "http://am:9093", null),
    cls: AlertmanagerError,
    data: { url: "http://am:9093", status: null },
  },
  { err: new UnknownError("boom"), cls: UnknownError, data: { original: "boom" } },
];

describe("the coded error base", () => {
  it("gives every code a distinct string value", () => {
    const values = Object.values(ErrorCode);
    expect(new Set(values).size).toBe(values.length);
    for (const v of values) expect(v).toMatch(/^oncall_[a-z_]+_error$/);
  });

  it("gives each error class its own code, and every code a class", () => {
    const codes = samples.map((s) => s.err.code);
    expect(new Set(codes).size).toBe(samples.length);
    expect([...codes].sort()).toEqual(Object.values(ErrorCode).sort());
  });

  it.each(samples.map((s) => [s.err.name, s] as const))("%s is a CodedError carrying its data", (name, s) => {
    expect(s.err).toBeInstanceOf(s.cls);
    expect(s.err).toBeInstanceOf(CodedError);
    expect(s.err).toBeInstanceOf(Error);
    expect(isCodedError(s.err)).toBe(true);
    expect(name).toBe(s.cls.name);
    expect(typeof s.err.stack).toBe("string");
    expect(s.err).toMatchObject(s.data);
    expect(asCodedError(s.err)).toBe(s.err);
  });

  it("keeps the subclass's code under a subclass of a coded error", () => {
    const err = new handler.HttpStatusError("503", 503, "");
    expect(err).toBeInstanceOf(handler.RetryableHandlerError);
    expect(err.code).toBe(ErrorCode.HttpStatusError);
    expect(new handler.RetryableHandlerError("x").code).toBe(ErrorCode.RetryableHandlerError);
  });

  it("is what the code really throws, not only what a test constructs", () => {
    let thrown: unknown;
    try {
      parseDuration("15x");
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ParseError);
    expect(thrown).toMatchObject({ code: ErrorCode.ParseError, kind: "duration", input: "15x" });
  });

  it("wraps what is not ours, keeping it as `original` and `cause`", () => {
    // A Node system error has a `code` too; it is still not one of ours.
    const sys = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6379"), { code: "ECONNREFUSED" });
    expect(isCodedError(sys)).toBe(false);
    const wrapped = asCodedError(sys);
    expect(wrapped).toBeInstanceOf(UnknownError);
    expect(wrapped.code).toBe(ErrorCode.UnknownError);
    expect(wrapped.message).toBe(sys.message);
    expect((wrapped as UnknownError).original).toBe(sys);
    expect(wrapped.cause).toBe(sys);
    expect(asCodedError("a string").message).toBe("a string");
  });
});
