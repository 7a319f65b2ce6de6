// The delivery module against the fake Slack Web API, with its records kept in real Redis: a
// message is posted once, found again by its metadata after a crash, DMs are opened only to post.

import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMetrics } from "../../../src/platform/metrics";
import { createSlackClient, SlackApi, SlackCallError } from "../../../src/platform/slack/api";
import {
  findByMark,
  type MessageMark,
  type PostRecord,
  post,
  postFromCursor,
  postOnce,
  rewrite,
} from "../../../src/platform/slack/delivery";
import { JOB_MAX_WAIT_MS, paceDefaults, SlackPacer } from "../../../src/platform/slack/pace";
import { FakeSlack } from "../../support/fake-slack";
import { deleteKeys, REDIS_URL } from "../../support/harness";

let fake: FakeSlack;
let slack: SlackApi;
let redis: Redis;
let prefix: string;

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  await redis.quit();
});
beforeEach(async () => {
  fake = await FakeSlack.start({ users: [{ id: "U0ALICE", name: "alice", tz: "Europe/Berlin" }] });
  slack = new SlackApi(createSlackClient("xoxb-test", fake.url), createMetrics());
  prefix = `test-delivery-${randomBytes(5).toString("hex")}:`;
});
afterEach(async () => {
  await fake.close();
  await deleteKeys(prefix);
});

/** A record in a Redis hash field, as the features keep theirs: "claimed", or the ts. */
function record(name: string): PostRecord & { read(): Promise<string | null> } {
  const key = `${prefix}sent`;
  return {
    async state() {
      const v = await redis.hget(key, name);
      return v === null ? "none" : v === "claimed" ? "claimed" : "posted";
    },
    async claim() {
      await redis.hset(key, name, "claimed");
    },
    async posted(m) {
      await redis.hset(key, name, `${m.channel}/${m.ts}`);
    },
    read: () => redis.hget(key, name),
  };
}

const MARK: MessageMark = { event_type: "oncall_test", event_payload: { alert_id: "a1", n: 3 } };
const posts = () => fake.callsTo("chat.postMessage").filter((c) => c.response.ok);

describe("postOnce", () => {
  it("posts with the mark and records it; a second run posts nothing and does not render", async () => {
    const r = record("m");
    const first = await postOnce(slack, r, { channel: "C1" }, { text: "hello" }, MARK);
    expect(first.kind).toBe("posted");
    expect(posts()).toHaveLength(1);
    expect(posts()[0]?.args.metadata).toEqual(MARK);
    expect(String(posts()[0]?.args.unfurl_links)).toBe("false");
    expect(await r.read()).toBe(`C1/${first.kind === "posted" ? first.message.ts : ""}`);

    let rendered = 0;
    const again = await postOnce(
      slack,
      r,
      { channel: "C1" },
      () => {
        rendered++;
        return { text: "hello" };
      },
      MARK,
    );
    expect(again.kind).toBe("already");
    expect(rendered).toBe(0);
    expect(posts()).toHaveLength(1);
  });

  it("after a run died between Slack's answer and the record, finds the message instead of posting", async () => {
    const r = record("m");
    // The crash: Slack has the message, the record only the claim.
    const before = await post(slack, "C1", { text: "from the crashed run" }, { mark: MARK });
    await r.claim();
    const out = await postOnce(slack, r, { channel: "C1" }, { text: "again" }, MARK);
    expect(out).toEqual({ kind: "found", message: before });
    expect(await r.read()).toBe(`C1/${before.ts}`);
    expect(fake.messages("C1").map((m) => m.text)).toEqual(["from the crashed run"]);
  });

  it("posts when a claim is left but the message never reached Slack", async () => {
    const r = record("m");
    await post(
      slack,
      "C1",
      { text: "another alert's" },
      { mark: { ...MARK, event_payload: { alert_id: "a2", n: 3 } } },
    );
    await r.claim();
    const out = await postOnce(slack, r, { channel: "C1" }, { text: "this one" }, MARK);
    expect(out.kind).toBe("posted");
    expect(fake.messages("C1").map((m) => m.text)).toEqual(["another alert's", "this one"]);
  });

  it("leaves no claim when pacing sends the post back to the queue, so the next run posts without a look-up", async () => {
    const paced = new SlackApi(
      createSlackClient("xoxb-test", fake.url),
      createMetrics(),
      new SlackPacer(redis, `${prefix}pace:`),
    );
    const parent = await post(paced, "C1", { text: "page" }, { priority: "urgent" });
    // The channel's burst spent, as in a storm: a thread note (background) gets no token now.
    for (let i = 0; i < 3; i++) await post(paced, "C1", { text: `page ${i}` }, { priority: "urgent" });
    const r = record("note");
    const to = { channel: "C1", threadTs: parent.ts };
    // As a queue job runs it: a call waits briefly in place, else goes back to the queue.
    const first = await paceDefaults
      .run({ maxWaitMs: JOB_MAX_WAIT_MS }, () =>
        postOnce(paced, r, to, { text: "note" }, MARK, { priority: "background" }),
      )
      .catch((e: unknown) => e);
    expect(first).toBeInstanceOf(SlackCallError);
    expect((first as SlackCallError).failure).toMatchObject({ kind: "rate_limited", paced: true });
    expect(await r.read()).toBeNull();

    const again = await postOnce(slack, r, to, { text: "note" }, MARK);
    expect(again.kind).toBe("posted");
    expect(fake.callsTo("conversations.replies")).toHaveLength(0);
    expect(fake.thread("C1", parent.ts).map((m) => m.text)).toEqual(["note"]);
  });

  it("finds a thread reply in its thread", async () => {
    const parent = await post(slack, "C1", { text: "page" });
    const r = record("reply");
    const reply = await post(slack, "C1", { text: "reply" }, { threadTs: parent.ts, mark: MARK });
    await r.claim();
    const out = await postOnce(slack, r, { channel: "C1", threadTs: parent.ts }, { text: "x" }, MARK);
    expect(out).toEqual({ kind: "found", message: reply });
    expect(fake.callsTo("conversations.replies")).toHaveLength(1);
    expect(fake.thread("C1", parent.ts).map((m) => m.text)).toEqual(["reply"]);
  });

  it("posts a DM to the user id, and records the DM's channel for later rewrites", async () => {
    const r = record("dm");
    const out = await postOnce(slack, r, { user: "U0ALICE" }, { text: "you are on call" }, MARK);
    const dm = fake.dmChannel("U0ALICE");
    expect(out).toMatchObject({ kind: "posted", message: { channel: dm } });
    // Posted to the user id: no conversations.open, and Slack answers with the DM's id.
    expect(fake.callsTo("chat.postMessage").map((c) => c.args.channel)).toEqual(["U0ALICE"]);
    await postOnce(slack, r, { user: "U0ALICE" }, { text: "you are on call" }, MARK);
    expect(fake.callsTo("conversations.open")).toHaveLength(0);
    expect(fake.messages(dm).map((m) => m.text)).toEqual(["you are on call"]);
  });
});

describe("findByMark", () => {
  it("matches on the identity fields only, and on numbers sent as strings", async () => {
    const posted = await post(
      slack,
      "C1",
      { text: "page" },
      { mark: { event_type: "oncall_test", event_payload: { alert_id: "a1", n: "3" } } },
    );
    expect(await findByMark(slack, { channel: "C1" }, MARK)).toBe(posted.ts);
    const other = { event_type: "oncall_test", event_payload: { alert_id: "a1", n: 4 } };
    expect(await findByMark(slack, { channel: "C1" }, other)).toBeNull();
    expect(await findByMark(slack, { channel: "C1" }, other, { identity: ["alert_id"] })).toBe(posted.ts);
    expect(await findByMark(slack, { channel: "C1" }, { ...MARK, event_type: "oncall_other" })).toBeNull();
  });
});

describe("rewrite", () => {
  it("changes the message in place and keeps its metadata", async () => {
    const m = await post(slack, "C1", { text: "🔴 firing" }, { mark: MARK });
    await rewrite(slack, m, {
      text: "✅ resolved",
      blocks: [{ type: "section", text: { type: "mrkdwn", text: "done" } }],
    });
    const now = fake.message("C1", m.ts);
    expect(now?.text).toBe("✅ resolved");
    expect(JSON.stringify(now?.blocks)).toContain("done");
    expect(await findByMark(slack, { channel: "C1" }, MARK)).toBe(m.ts);
    expect(fake.messages("C1")).toHaveLength(1);
  });
});

describe("postFromCursor", () => {
  it("posts the items that have a message, from the cursor on, and moves the cursor past every item", async () => {
    const items = ["a", "skip", "b", "c"];
    const cursors: number[] = [];
    const sent: string[] = [];
    const n = await postFromCursor(items, 1, {
      message: (item) => (item === "skip" ? null : { text: item }),
      post: async (content) => {
        sent.push(content.text);
        return { kind: "posted", message: { channel: "C1", ts: "1.1" } };
      },
      advance: async (next) => {
        cursors.push(next);
      },
    });
    expect(sent).toEqual(["b", "c"]);
    expect(n).toBe(2);
    expect(cursors).toEqual([2, 3, 4]);
  });
});
