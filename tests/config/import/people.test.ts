import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runImport } from "../../../src/config/import/cli";
import { parseMapping } from "../../../src/config/import/people";
import { FakeSlack } from "../../support/fake-slack";
import { CHANNELS, check, fixture, load, NOW, outDir, removeOutDirs } from "./helpers";

const USERS = [
  { id: "U01AAA", name: "alice", email: "alice@example.com" },
  { id: "U01BBB", name: "bob", email: "Bob@Example.com" },
  { id: "U01CCC", name: "carol", email: "carol@example.com" },
  { id: "U02AAA", name: "dave", email: "dave@example.com" },
  { id: "U02BBB", name: "erin", email: "erin@example.com" },
  { id: "U02CCC", name: "frank", email: "frank@example.com" },
];

let slack: FakeSlack;

beforeEach(async () => {
  slack = await FakeSlack.start({ users: USERS });
});

afterEach(async () => {
  await slack.close();
  removeOutDirs();
});

function importWithSlack(product: string, extra: readonly string[] = []) {
  const dir = outDir();
  return runImport([product, fixture(`${product}.json`), "--out", dir, "--channels", CHANNELS, ...extra], {
    now: NOW,
    env: { SLACK_BOT_TOKEN: "xoxb-import-test", SLACK_API_URL: slack.url },
  }).then((run) => ({ dir, run, text: run.lines.join("\n") }));
}

describe("matching people to Slack", () => {
  it("looks each email up with users.lookupByEmail, at most one call per 600 ms", async () => {
    const { dir, run, text } = await importWithSlack("pagerduty");
    expect(run.exitCode, text).toBe(0);
    expect(text).toContain("6 by users.lookupByEmail, 0 not matched");
    expect(load(dir).teams.map((t) => t.members)).toEqual([
      ["U01AAA", "U01BBB", "U01CCC"],
      ["U02AAA", "U02BBB", "U02CCC"],
    ]);

    const calls = slack.callsTo("users.lookupByEmail");
    expect(calls.map((c) => c.args.email).sort()).toEqual(USERS.map((u) => u.email.toLowerCase()).sort());
    for (let i = 1; i < calls.length; i++) {
      expect(calls[i]!.at.getTime() - calls[i - 1]!.at.getTime()).toBeGreaterThanOrEqual(590);
    }
  });

  it("waits out a 429's Retry-After and then goes on", async () => {
    slack.failNext("users.lookupByEmail", { status: 429, retryAfterSec: 1 });
    const { run, text } = await importWithSlack("pagerduty");
    expect(run.exitCode, text).toBe(0);
    const calls = slack.callsTo("users.lookupByEmail");
    expect(calls[0]!.status).toBe(429);
    expect(calls[1]!.args.email).toBe(calls[0]!.args.email);
    expect(calls[1]!.status).toBe(200);
    expect(calls[1]!.at.getTime() - calls[0]!.at.getTime()).toBeGreaterThanOrEqual(990);
    expect(text).toContain("6 by users.lookupByEmail");
  });

  it("prefers the mapping file, and writes a TODO that config:check points at for someone Slack does not know", async () => {
    const mapping = join(outDir(), "people.yaml");
    writeFileSync(mapping, "alice@example.com: U0ALICE\n");
    // Frank has no Slack account.
    await slack.close();
    slack = await FakeSlack.start({ users: USERS.filter((u) => u.email !== "frank@example.com") });

    const { dir: out, run, text } = await importWithSlack("pagerduty", ["--people", mapping]);
    expect(text).toContain(
      "1 by the mapping file, 0 from the export, 4 by users.lookupByEmail, 1 not matched",
    );
    expect(slack.callsTo("users.lookupByEmail").map((c) => c.args.email)).not.toContain("alice@example.com");
    expect(run.exitCode).toBe(1);
    expect(text).toContain("frank@example.com has no Slack id");
    const problems = check(out).lines;
    expect(problems[0]).toMatch(
      /^schedules\/teams\.yaml:\d+ teams\[1\]\.members\[2\]: "TODO: Slack id of frank@example\.com" is not a Slack user id/,
    );
    expect(text).toContain(problems[0]);
  });

  it("stops with the reason when the token cannot look people up", async () => {
    slack.failNext("users.lookupByEmail", { error: "missing_scope" });
    const { run, text } = await importWithSlack("opsgenie");
    expect(run.exitCode).toBe(1);
    expect(text).toBe(
      "import failed: Slack users.lookupByEmail failed: missing_scope (the token needs the users:read.email scope)",
    );
  });
});

describe("the mapping file", () => {
  it("reads email: Slack id, case-insensitively", () => {
    expect(parseMapping("Alice@Example.com: U01AAA\nbob@example.com: W0BOB\n", "people.yaml")).toEqual(
      new Map([
        ["alice@example.com", "U01AAA"],
        ["bob@example.com", "W0BOB"],
      ]),
    );
  });

  it("names the file and the entry that is wrong", () => {
    expect(() => parseMapping("alice@example.com: alice\nbob: U01BBB\n", "people.yaml")).toThrow(
      'people.yaml: alice@example.com: expected a Slack user id such as U01AAA, got "alice"\npeople.yaml: bob: expected an email address as the key',
    );
  });
});
