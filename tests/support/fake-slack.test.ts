import {
  ErrorCode,
  type Logger,
  LogLevel,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebClient,
} from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeSlack } from "./fake-slack";

const TS = /^\d{10}\.\d{6}$/;
const ALERT_BLOCKS = [
  { type: "header", text: { type: "plain_text", text: "🔴 HighErrorRate · stream-api" } },
  {
    type: "actions",
    block_id: "alert-actions",
    elements: [
      {
        type: "button",
        action_id: "alert.ack",
        text: { type: "plain_text", text: "Acknowledge" },
        value: "a1",
      },
    ],
  },
];

let fake: FakeSlack;
let client: WebClient;

// WebClient logs every refused call at ERROR; these tests provoke refusals on purpose.
const quiet: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

function clientFor(f: FakeSlack, opts: ConstructorParameters<typeof WebClient>[1] = {}): WebClient {
  return new WebClient("xoxb-test", {
    slackApiUrl: f.url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger: quiet,
    ...opts,
  });
}

async function platformError(p: Promise<unknown>): Promise<WebAPIPlatformError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WebAPIPlatformError);
  return err as WebAPIPlatformError;
}

function blockErrors(err: WebAPIPlatformError): unknown {
  return (err.data as { errors?: unknown }).errors;
}

beforeEach(async () => {
  fake = await FakeSlack.start({
    users: [
      { id: "U01AAA", name: "alice", tz: "Europe/Berlin" },
      { id: "U02BBB", name: "bob", tz: "America/New_York" },
    ],
  });
  client = clientFor(fake);
});

afterEach(async () => {
  await fake.close();
});

describe("FakeSlack basics", () => {
  it("serves on loopback with a URL WebClient can use as slackApiUrl", () => {
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  });

  it("answers auth.test with the bot's ids", async () => {
    const res = await client.auth.test();
    expect(res).toMatchObject({
      ok: true,
      user_id: fake.botUserId,
      bot_id: "B0ONCALL",
      team_id: "T0EXAMPLE",
    });
  });

  it("refuses calls without a bearer token", async () => {
    const anonymous = new WebClient(undefined, {
      slackApiUrl: fake.url,
      retryConfig: { retries: 0 },
      logger: quiet,
    });
    const err = await platformError(anonymous.auth.test());
    expect(err.data.error).toBe("not_authed");
  });

  it("answers unknown methods with unknown_method", async () => {
    const err = await platformError(client.apiCall("no.such.method"));
    expect(err.data.error).toBe("unknown_method");
    expect(fake.callsTo("no.such.method")).toHaveLength(1);
  });

  it("also works when slackApiUrl lacks the trailing slash (WebClient adds it)", async () => {
    const c = clientFor(fake, { slackApiUrl: fake.url.replace(/\/$/, "") });
    await expect(c.auth.test()).resolves.toMatchObject({ ok: true });
  });

  it("accepts JSON bodies as Slack does", async () => {
    const res = await fetch(`${fake.url}chat.postMessage`, {
      method: "POST",
      headers: { Authorization: "Bearer xoxb-test", "Content-Type": "application/json; charset=utf-8" },
      body: JSON.stringify({ channel: "C0ONCALL", text: "json", blocks: ALERT_BLOCKS }),
    });
    expect(await res.json()).toMatchObject({ ok: true, channel: "C0ONCALL" });
    expect(fake.messages("C0ONCALL")[0]?.blocks).toEqual(ALERT_BLOCKS);
  });
});

describe("messages", () => {
  it("records postMessage with decoded blocks and metadata and answers like Slack", async () => {
    const metadata = { event_type: "oncall_alert", event_payload: { alert_id: "g1-1" } };
    const res = await client.chat.postMessage({
      channel: "C0ONCALL",
      text: "HighErrorRate",
      blocks: ALERT_BLOCKS,
      metadata,
    });
    expect(res.ok).toBe(true);
    expect(res.channel).toBe("C0ONCALL");
    expect(res.ts).toMatch(TS);
    expect(res.message).toMatchObject({
      text: "HighErrorRate",
      bot_id: "B0ONCALL",
      user: fake.botUserId,
      ts: res.ts,
    });

    const [call] = fake.callsTo("chat.postMessage");
    expect(call?.args).toMatchObject({
      channel: "C0ONCALL",
      text: "HighErrorRate",
      blocks: ALERT_BLOCKS,
      metadata,
    });
    expect(call?.args).not.toHaveProperty("token");
    expect(call?.at).toBeInstanceOf(Date);
    expect(call?.response).toMatchObject({ ok: true, ts: res.ts });
  });

  it("postMessage then update rewrites the stored message in place", async () => {
    const posted = await client.chat.postMessage({
      channel: "C0ONCALL",
      text: "firing",
      blocks: ALERT_BLOCKS,
    });
    const ts = posted.ts!;
    const updated = await client.chat.update({ channel: "C0ONCALL", ts, text: "acknowledged by alice" });
    expect(updated).toMatchObject({ ok: true, channel: "C0ONCALL", ts, text: "acknowledged by alice" });

    const messages = fake.messages("C0ONCALL");
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ ts, text: "acknowledged by alice", blocks: ALERT_BLOCKS });
    expect(messages[0]?.edited?.user).toBe(fake.botUserId);

    await client.chat.update({ channel: "C0ONCALL", ts, text: "resolved", blocks: [] });
    expect(fake.message("C0ONCALL", ts)).toMatchObject({ text: "resolved", blocks: [] });
  });

  it("refuses to update a message that does not exist", async () => {
    await client.chat.postMessage({ channel: "C0ONCALL", text: "x" });
    const err = await platformError(
      client.chat.update({ channel: "C0ONCALL", ts: "1700000000.000100", text: "y" }),
    );
    expect(err.code).toBe(ErrorCode.PlatformError);
    expect(err.data.error).toBe("message_not_found");
  });

  it("hands out unique, increasing Slack-style timestamps", async () => {
    const tss: string[] = [];
    for (let i = 0; i < 20; i++)
      tss.push((await client.chat.postMessage({ channel: "C1", text: `m${i}` })).ts!);
    expect(new Set(tss).size).toBe(20);
    expect([...tss].sort()).toEqual(tss);
    for (const ts of tss) expect(ts).toMatch(TS);
  });

  it("keeps thread replies under their parent, also when replying to a reply's ts", async () => {
    const parent = await client.chat.postMessage({ channel: "C0ONCALL", text: "page" });
    const r1 = await client.chat.postMessage({
      channel: "C0ONCALL",
      thread_ts: parent.ts!,
      text: "alice acknowledged",
    });
    await client.chat.postMessage({ channel: "C0ONCALL", thread_ts: r1.ts!, text: "remediation ran" });

    expect(fake.messages("C0ONCALL")).toHaveLength(1);
    expect(fake.thread("C0ONCALL", parent.ts!).map((m) => m.text)).toEqual([
      "alice acknowledged",
      "remediation ran",
    ]);
    expect(fake.messages("C0ONCALL")[0]).toMatchObject({
      threadTs: parent.ts,
      replies: [{ threadTs: parent.ts }, {}],
    });

    const replies = await client.conversations.replies({ channel: "C0ONCALL", ts: parent.ts! });
    expect(replies.messages?.map((m) => m.text)).toEqual(["page", "alice acknowledged", "remediation ran"]);
    const history = await client.conversations.history({ channel: "C0ONCALL" });
    expect(history.messages?.[0]).toMatchObject({
      reply_count: 2,
      thread_ts: parent.ts,
      latest_reply: expect.stringMatching(TS),
    });
  });

  it("shows broadcast replies in the channel too", async () => {
    const parent = await client.chat.postMessage({ channel: "C0ONCALL", text: "page" });
    await client.chat.postMessage({
      channel: "C0ONCALL",
      thread_ts: parent.ts!,
      text: "resolved",
      reply_broadcast: true,
    });
    expect(fake.messages("C0ONCALL").map((m) => m.text)).toEqual(["page", "resolved"]);
  });

  it("conversations.history returns newest first, with metadata only when asked", async () => {
    for (const n of [1, 2, 3]) {
      await client.chat.postMessage({
        channel: "C0ONCALL",
        text: `alert ${n}`,
        metadata: { event_type: "oncall_alert", event_payload: { n } },
      });
    }
    const plain = await client.conversations.history({ channel: "C0ONCALL" });
    expect(plain.messages?.map((m) => m.text)).toEqual(["alert 3", "alert 2", "alert 1"]);
    expect(plain.messages?.[0]).not.toHaveProperty("metadata");

    const withMeta = await client.conversations.history({
      channel: "C0ONCALL",
      include_all_metadata: true,
      limit: 2,
    });
    expect(withMeta.messages).toHaveLength(2);
    expect(withMeta.has_more).toBe(true);
    expect(withMeta.messages?.[0]?.metadata).toEqual({ event_type: "oncall_alert", event_payload: { n: 3 } });

    const next = await client.conversations.history({
      channel: "C0ONCALL",
      limit: 2,
      cursor: withMeta.response_metadata?.next_cursor,
    });
    expect(next.messages?.map((m) => m.text)).toEqual(["alert 1"]);
    expect(next.has_more).toBe(false);

    const oldest = plain.messages?.[2]?.ts;
    const after = await client.conversations.history({ channel: "C0ONCALL", oldest });
    expect(after.messages?.map((m) => m.text)).toEqual(["alert 3", "alert 2"]);
  });

  it("metadata survives an update that leaves it out and is removed by an empty object", async () => {
    const metadata = { event_type: "oncall_alert", event_payload: { alert_id: "a" } };
    const { ts } = await client.chat.postMessage({ channel: "C1", text: "x", metadata });
    await client.chat.update({ channel: "C1", ts: ts!, text: "y" });
    expect(fake.message("C1", ts!)?.metadata).toEqual(metadata);
    await client.apiCall("chat.update", { channel: "C1", ts, text: "z", metadata: {} });
    expect(fake.message("C1", ts!)?.metadata).toBeNull();
  });

  it("refuses a message without text or blocks, and blocks Slack would refuse", async () => {
    const noText = await platformError(client.chat.postMessage({ channel: "C1", text: "" }));
    expect(noText.data.error).toBe("no_text");

    const tooLong = [{ type: "header", text: { type: "plain_text", text: "x".repeat(151) } }];
    const long = await platformError(client.chat.postMessage({ channel: "C1", text: "t", blocks: tooLong }));
    expect(long.data.error).toBe("invalid_blocks");
    expect(blockErrors(long)).toEqual([
      "must be less than 151 characters [json-pointer:/blocks/0/text/text]",
    ]);

    const dup = [ALERT_BLOCKS[1], ALERT_BLOCKS[1]] as typeof ALERT_BLOCKS;
    const twice = await platformError(client.chat.postMessage({ channel: "C1", text: "t", blocks: dup }));
    expect(blockErrors(twice)).toEqual(["alert-actions is not unique [json-pointer:/blocks/1/block_id]"]);
  });

  it("returns a permalink and adds reactions once", async () => {
    const { ts } = await client.chat.postMessage({ channel: "C1", text: "x" });
    const link = await client.chat.getPermalink({ channel: "C1", message_ts: ts! });
    expect(link.permalink).toBe(`${fake.origin}/archives/C1/p${ts!.replace(".", "")}`);
    await client.reactions.add({ channel: "C1", timestamp: ts!, name: "white_check_mark" });
    expect(fake.message("C1", ts!)?.reactions).toEqual([
      { name: "white_check_mark", users: [fake.botUserId], count: 1 },
    ]);
    const again = await platformError(
      client.reactions.add({ channel: "C1", timestamp: ts!, name: "white_check_mark" }),
    );
    expect(again.data.error).toBe("already_reacted");
  });
});

describe("conversations, users, channels", () => {
  it("opens one stable DM per user set and posts to a user id into that DM", async () => {
    const a = await client.conversations.open({ users: "U01AAA" });
    const b = await client.conversations.open({ users: "U01AAA" });
    expect(a.channel?.id).toMatch(/^D[0-9A-F]{10}$/);
    expect(b.channel?.id).toBe(a.channel?.id);
    expect(b.already_open).toBe(true);
    expect(fake.dmChannel("U01AAA")).toBe(a.channel?.id);
    const posted = await client.chat.postMessage({ channel: "U01AAA", text: "you are on call" });
    expect(posted.channel).toBe(a.channel?.id);
    expect(fake.messages(a.channel!.id!).map((m) => m.text)).toEqual(["you are on call"]);
    const group = await client.conversations.open({ users: "U02BBB,U01AAA" });
    expect(group.channel?.id).not.toBe(a.channel?.id);
  });

  it("describes users with time zone and offset", async () => {
    const res = await client.users.info({ user: "U01AAA" });
    expect(res.user).toMatchObject({
      id: "U01AAA",
      name: "alice",
      real_name: "alice",
      tz: "Europe/Berlin",
      profile: { display_name: "alice" },
    });
    expect([3600, 7200]).toContain(res.user?.tz_offset);
    expect((await platformError(client.users.info({ user: "U99ZZZ" }))).data.error).toBe("user_not_found");
    const list = await client.users.list({});
    expect(list.members?.map((m) => m.id)).toEqual(
      expect.arrayContaining(["U01AAA", "U02BBB", fake.botUserId]),
    );
  });

  it("knows only the configured channels when given some", async () => {
    const strict = await FakeSlack.start({ channels: [{ id: "C0ONCALL", name: "oncall" }] });
    try {
      const c = clientFor(strict);
      await c.chat.postMessage({ channel: "C0ONCALL", text: "ok" });
      expect((await platformError(c.chat.postMessage({ channel: "C0NOPE", text: "x" }))).data.error).toBe(
        "channel_not_found",
      );
    } finally {
      await strict.close();
    }
  });

  it("records ephemerals", async () => {
    const res = await client.chat.postEphemeral({ channel: "C0ONCALL", user: "U01AAA", text: "only you" });
    expect(res.message_ts).toMatch(TS);
    expect(fake.ephemerals("C0ONCALL", "U01AAA")).toMatchObject([
      { text: "only you", via: "chat.postEphemeral" },
    ]);
    expect(fake.ephemerals("C0ONCALL", "U02BBB")).toEqual([]);
  });
});

describe("views", () => {
  const modal = (title: string) => ({
    type: "modal" as const,
    callback_id: "alert.escalate",
    private_metadata: "a1",
    title: { type: "plain_text" as const, text: title },
    submit: { type: "plain_text" as const, text: "Escalate" },
    blocks: [
      {
        type: "input",
        block_id: "reason",
        label: { type: "plain_text", text: "Why escalate?" },
        element: { type: "plain_text_input", action_id: "reason", multiline: true },
      },
    ],
  });

  it("opens, updates and pushes modals with ids and hashes", async () => {
    fake.registerTrigger("t-1", "U01AAA");
    const opened = await client.views.open({ trigger_id: "t-1", view: modal("Escalate") });
    expect(opened.view?.id).toMatch(/^V[A-Z0-9]+$/);
    expect(opened.view).toMatchObject({
      callback_id: "alert.escalate",
      private_metadata: "a1",
      type: "modal",
    });
    expect(fake.views()).toMatchObject([
      { id: opened.view?.id, userId: "U01AAA", view: { callback_id: "alert.escalate" } },
    ]);

    const updated = await client.views.update({
      view_id: opened.view!.id!,
      hash: opened.view!.hash!,
      view: modal("Escalate!"),
    });
    expect(updated.view?.hash).not.toBe(opened.view?.hash);
    const conflict = await platformError(
      client.views.update({ view_id: opened.view!.id!, hash: opened.view!.hash!, view: modal("Stale") }),
    );
    expect(conflict.data.error).toBe("hash_conflict");

    const pushed = await client.views.push({ trigger_id: "t-2", view: modal("More") });
    expect(pushed.view?.root_view_id).toBe(opened.view?.id);
    expect(fake.views()).toHaveLength(2);
    expect(fake.closeView(opened.view!.id!)).toBe(true);
    expect(fake.views()).toEqual([]);
  });

  it("refuses a reused trigger_id and a title Slack would refuse", async () => {
    await client.views.open({ trigger_id: "t-1", view: modal("Escalate") });
    const reused = await platformError(client.views.open({ trigger_id: "t-1", view: modal("Escalate") }));
    expect(reused.data.error).toBe("invalid_arguments");
    const long = await platformError(
      client.views.open({ trigger_id: "t-3", view: modal("A title that is far too long") }),
    );
    expect(long.data.error).toBe("invalid_arguments");
    expect(long.data.response_metadata?.messages?.[0]).toMatch(
      /less than 25 characters.*\/view\/title\/text/,
    );
  });

  it("publishes home tabs per user", async () => {
    const home = {
      type: "home" as const,
      blocks: [{ type: "section", text: { type: "mrkdwn", text: "*On call*" } }],
    };
    const res = await client.views.publish({ user_id: "U01AAA", view: home });
    expect(res.view?.id).toMatch(/^V/);
    expect(fake.homeTabs("U01AAA")?.view).toMatchObject({ type: "home" });
    expect(fake.homeTabs("U02BBB")).toBeUndefined();
  });
});

describe("response_url", () => {
  async function respond(url: string, body: unknown): Promise<Response> {
    // How Bolt's respond() posts.
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  it("records posts and treats them as ephemerals, channel messages or replacements", async () => {
    const { ts } = await client.chat.postMessage({ channel: "C0ONCALL", text: "page", blocks: ALERT_BLOCKS });
    const url = fake.responseUrl({ channel: "C0ONCALL", user: "U01AAA", messageTs: ts! });
    expect(url.startsWith(fake.origin)).toBe(true);

    expect((await respond(url, { text: "Only you can see this" })).status).toBe(200);
    expect(fake.ephemerals("C0ONCALL", "U01AAA")).toMatchObject([
      { text: "Only you can see this", via: "response_url" },
    ]);

    await respond(url, { response_type: "in_channel", text: "alice is on call" });
    expect(fake.messages("C0ONCALL").map((m) => m.text)).toEqual(["page", "alice is on call"]);

    await respond(url, { replace_original: true, text: "acknowledged" });
    expect(fake.message("C0ONCALL", ts!)?.text).toBe("acknowledged");

    expect(fake.callsTo("response_url").map((c) => c.args)).toMatchObject([
      { text: "Only you can see this" },
      { response_type: "in_channel" },
      { replace_original: true },
    ]);
  });

  it("answers 404 for an unknown response_url", async () => {
    const res = await respond(`${fake.origin}/response/deadbeef`, { text: "x" });
    expect(res.status).toBe(404);
  });
});

describe("failure injection", () => {
  it("answers 429 with Retry-After; WebClient surfaces a rate-limit error with retryAfter", async () => {
    fake.failNext("chat.postMessage", { status: 429, retryAfterSec: 7 });
    const err = await client.chat.postMessage({ channel: "C1", text: "x" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebAPIRateLimitedError);
    expect((err as WebAPIRateLimitedError).code).toBe(ErrorCode.RateLimitedError);
    expect((err as WebAPIRateLimitedError).retryAfter).toBe(7);
    expect(fake.callsTo("chat.postMessage")[0]).toMatchObject({ status: 429 });
    expect(fake.messages("C1")).toEqual([]);

    await client.chat.postMessage({ channel: "C1", text: "x" });
    expect(fake.messages("C1")).toHaveLength(1);
  });

  it("sends the Retry-After header itself", async () => {
    fake.failNext("auth.test", { status: 429, retryAfterSec: 3 });
    const res = await fetch(`${fake.url}auth.test`, {
      method: "POST",
      headers: { Authorization: "Bearer x" },
    });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("3");
  });

  it("answers 500; WebClient raises an HTTP error without retries and succeeds with one", async () => {
    fake.failNext("chat.postMessage", { status: 500 });
    const err = await client.chat.postMessage({ channel: "C1", text: "x" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebAPIHTTPError);
    expect((err as WebAPIHTTPError).statusCode).toBe(500);

    fake.failNext("chat.postMessage", { status: 503 }, 1);
    const retrying = clientFor(fake, {
      retryConfig: { retries: 1, factor: 1, minTimeout: 10, maxTimeout: 10 },
    });
    await expect(retrying.chat.postMessage({ channel: "C1", text: "y" })).resolves.toMatchObject({
      ok: true,
    });
    expect(fake.callsTo("chat.postMessage").map((c) => c.status)).toEqual([500, 503, 200]);
  });

  it("answers ok:false errors the given number of times", async () => {
    fake.failNext("chat.update", { error: "channel_not_found" }, 2);
    const { ts } = await client.chat.postMessage({ channel: "C1", text: "x" });
    for (let i = 0; i < 2; i++) {
      const err = await platformError(client.chat.update({ channel: "C1", ts: ts!, text: "y" }));
      expect(err.data.error).toBe("channel_not_found");
    }
    await expect(client.chat.update({ channel: "C1", ts: ts!, text: "y" })).resolves.toMatchObject({
      ok: true,
    });
  });

  it("delays an answer", async () => {
    fake.failNext("auth.test", { delayMs: 150 });
    const started = Date.now();
    await client.auth.test();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe("waitFor, change events, reset", () => {
  it("resolves for a call that already happened and for one that happens later", async () => {
    await client.chat.postMessage({ channel: "C1", text: "first" });
    await expect(fake.waitFor((c) => c.args.text === "first")).resolves.toMatchObject({
      method: "chat.postMessage",
    });

    const later = fake.waitFor((c) => c.method === "chat.update");
    const { ts } = (await client.chat.postMessage({ channel: "C1", text: "second" })) as { ts: string };
    setTimeout(() => void client.chat.update({ channel: "C1", ts, text: "edited" }), 20);
    await expect(later).resolves.toMatchObject({ args: { text: "edited" } });
  });

  it("rejects on timeout, listing the calls that did happen", async () => {
    await client.chat.postMessage({ channel: "C1", text: "something else" });
    const err = await fake
      .waitFor((c) => c.method === "views.open", { timeoutMs: 50 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/no matching call within 50 ms/);
    expect((err as Error).message).toMatch(/chat\.postMessage .*"something else".* -> ok/);
  });

  it("emits change events and forgets everything on reset", async () => {
    let changes = 0;
    const off = fake.on("change", () => {
      changes++;
    });
    await client.chat.postMessage({ channel: "C1", text: "x" });
    expect(changes).toBeGreaterThan(0);
    off();
    const seen = changes;
    fake.reset();
    await client.chat.postMessage({ channel: "C2", text: "y" });
    expect(changes).toBe(seen);
    expect(fake.messages("C1")).toEqual([]);
    expect(fake.calls.map((c) => c.method)).toEqual(["chat.postMessage"]);
  });
});
