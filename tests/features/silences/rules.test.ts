import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load";
import type { AlertSilence } from "../../../src/core/alert";
import type { Team } from "../../../src/core/config";
import { findTeam } from "../../../src/core/routing";
import { alertmanagerTargets } from "../../../src/features/silences/alertmanager";
import * as rules from "../../../src/features/silences/rules";
import { streamApiAlert } from "../../support/alerts";
import { ORG_DIR } from "../../support/harness";

const {
  DURATION_CHOICES,
  durationChoices,
  expireRefusal,
  expireSilenceByHand,
  silenceComment,
  silenceEnd,
  silenceMatchers,
  silenceRanOut,
  silenceRefusal,
  startSilence,
} = rules;
const config = loadConfig(ORG_DIR);
// A Wednesday; Playback works 09:00-18:00 Europe/Berlin, Monday to Friday, German holidays off.
const NOW = new Date("2026-11-25T10:00:00Z");
const playback = findTeam(config, "playback") as Team;
const HOUR = 3_600_000;

const SILENCE: AlertSilence = {
  id: "7c0c5e4a-0000-4000-8000-000000000001",
  by: "U02AAA",
  startsAt: NOW.toISOString(),
  endsAt: new Date(NOW.getTime() + HOUR).toISOString(),
  comment: "deploy <!channel> in progress",
};

describe("silenceEnd: the modal's durations", () => {
  const end = (
    choice: string | null,
    custom: string | null = null,
    now = NOW,
    team: Team | undefined = playback,
  ) => silenceEnd({ choice, custom, now, team });

  it("offers 1 hour first (the default), then 4 hours, the team's next workday, custom", () => {
    expect(DURATION_CHOICES).toEqual(["1h", "4h", "workday", "custom"]);
    expect(durationChoices(playback).map((c) => c.label)).toEqual([
      "1 hour",
      "4 hours",
      "Until Playback's next workday",
      "Custom (type it below)",
    ]);
    expect(durationChoices(undefined).map((c) => c.value)).toEqual(["1h", "4h", "custom"]);
    expect(end(null)).toEqual({ ok: true, endsAt: new Date(NOW.getTime() + HOUR) });
  });

  it("ends 1 h or 4 h from now", () => {
    expect(end("1h")).toEqual({ ok: true, endsAt: new Date("2026-11-25T11:00:00Z") });
    expect(end("4h")).toEqual({ ok: true, endsAt: new Date("2026-11-25T14:00:00Z") });
  });

  it("ends when the owning team's next workday starts, weekends and holidays skipped", () => {
    // Wednesday 11:00 in Berlin: Thursday 09:00 Berlin.
    expect(end("workday")).toEqual({ ok: true, endsAt: new Date("2026-11-26T08:00:00Z") });
    // Friday evening: Monday 09:00 Berlin.
    expect(end("workday", null, new Date("2026-11-27T19:00:00Z"))).toEqual({
      ok: true,
      endsAt: new Date("2026-11-30T08:00:00Z"),
    });
    // Christmas Eve (Thursday) evening: the 25th and 26th are German holidays, then a weekend.
    expect(end("workday", null, new Date("2026-12-24T19:00:00Z"))).toEqual({
      ok: true,
      endsAt: new Date("2026-12-28T08:00:00Z"),
    });
    expect(silenceEnd({ choice: "workday", custom: null, now: NOW, team: undefined })).toMatchObject({
      ok: false,
      field: "duration",
    });
  });

  it("reads a typed duration, within 1 minute and 14 days", () => {
    expect(end("custom", "90m")).toEqual({ ok: true, endsAt: new Date("2026-11-25T11:30:00Z") });
    expect(end("custom", " 1d12h ")).toEqual({ ok: true, endsAt: new Date("2026-11-26T22:00:00Z") });
    expect(end("custom", null)).toMatchObject({
      ok: false,
      field: "custom",
      message: expect.stringContaining("30m"),
    });
    expect(end("custom", "soon")).toMatchObject({
      ok: false,
      field: "custom",
      message: expect.stringContaining('"soon"'),
    });
    expect(end("custom", "0m")).toMatchObject({ ok: false, field: "custom" });
    expect(end("custom", "15d")).toMatchObject({
      ok: false,
      field: "custom",
      message: expect.stringContaining("14 days"),
    });
  });

  it("refuses a typed duration beside another choice, and an unknown choice", () => {
    expect(end("4h", "2h")).toMatchObject({
      ok: false,
      field: "custom",
      message: expect.stringContaining("Custom"),
    });
    expect(end("forever")).toMatchObject({ ok: false, field: "duration" });
  });
});

describe("silenceMatchers", () => {
  it("matches the group's labels exactly, sorted", () => {
    const a = streamApiAlert({ groupLabels: { job: "stream-api", alertname: "HighErrorRate" } });
    expect(silenceMatchers(a)).toEqual([
      { name: "alertname", value: "HighErrorRate", isRegex: false, isEqual: true },
      { name: "job", value: "stream-api", isRegex: false, isEqual: true },
    ]);
  });

  it("falls back to the labels every alert shares when the group's are unknown or empty", () => {
    expect(silenceMatchers(streamApiAlert({ groupLabels: {} })).map((m) => m.name)).toEqual([
      "alertname",
      "job",
    ]);
    const { groupLabels: _, ...old } = streamApiAlert();
    expect(silenceMatchers(old).map((m) => m.name)).toEqual(["alertname", "job"]);
  });
});

describe("who may silence and expire: the same rule as acknowledging", () => {
  const a = streamApiAlert({ groupLabels: { alertname: "HighErrorRate", job: "stream-api" } });

  it("lets the on-call engineer, participants, admins and the owning team silence", () => {
    for (const user of ["U02AAA", "U03AAA", "U0ADMIN", "U01BBB"]) {
      expect(silenceRefusal(user, a, config, true)).toBeNull();
    }
  });

  it("refuses anyone else, saying who may", () => {
    expect(silenceRefusal("U0OUTSIDER", a, config, true)).toContain(
      'Only the participants and admins of rotation "Merged on-call"',
    );
    expect(expireRefusal("U0OUTSIDER", { ...a, silence: SILENCE }, config)).toContain(
      "Only the participants",
    );
  });

  it("refuses what cannot be silenced, each with its reason", () => {
    expect(silenceRefusal("U02AAA", { ...a, source: "generic" }, config, true)).toContain(
      "came from Alertmanager",
    );
    expect(silenceRefusal("U02AAA", { ...a, state: "resolved" }, config, true)).toContain("already resolved");
    expect(silenceRefusal("U02AAA", { ...a, silence: SILENCE }, config, true)).toContain(
      "<@U02AAA> has already silenced",
    );
    expect(silenceRefusal("U02AAA", a, config, false)).toContain("ALERTMANAGER_URL");
    expect(silenceRefusal("U02AAA", { ...a, groupLabels: {}, commonLabels: {} }, config, true)).toContain(
      "no labels",
    );
    expect(expireRefusal("U02AAA", a, config)).toContain("not silenced");
  });
});

describe("the silence's transitions", () => {
  const a = streamApiAlert();

  it("records the silence with a thread note, the comment escaped", () => {
    const t = startSilence(a, SILENCE, NOW, "<date>");
    if (!t.ok) throw new Error(t.reason);
    expect(t.alert.silence).toEqual(SILENCE);
    expect(t.events).toEqual([
      expect.objectContaining({
        type: "silenced",
        actor: "U02AAA",
        thread: true,
        text: "🔕 <@U02AAA> silenced this group in Alertmanager until <date>: deploy &lt;!channel&gt; in progress",
      }),
    ]);
    expect(startSilence(t.alert, { ...SILENCE, id: "other", by: "U01AAA" }, NOW, "x")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("<@U02AAA> silenced this group at the same time"),
    });
  });

  it("expires by hand only the silence still on the alert", () => {
    const silenced = { ...a, silence: SILENCE };
    expect(expireSilenceByHand(silenced, "U01AAA", SILENCE.id, NOW)).toMatchObject({
      ok: true,
      alert: { silence: null },
      events: [
        { type: "silence_ended", actor: "U01AAA", text: expect.stringContaining("<@U01AAA> expired") },
      ],
    });
    expect(expireSilenceByHand(silenced, "U01AAA", "another", NOW).ok).toBe(false);
  });

  it("runs out at its end, not before, and not twice", () => {
    const silenced = { ...a, silence: SILENCE };
    expect(silenceRanOut(silenced, SILENCE.id, new Date(NOW.getTime() + HOUR - 1))).toMatchObject({
      ok: false,
    });
    const t = silenceRanOut(silenced, SILENCE.id, new Date(NOW.getTime() + HOUR));
    if (!t.ok) throw new Error(t.reason);
    expect(t.alert.silence).toBeNull();
    expect(t.events[0]).toMatchObject({
      type: "silence_ended",
      actor: "bot",
      text: expect.stringContaining("has expired"),
    });
    expect(silenceRanOut(t.alert, SILENCE.id, new Date(NOW.getTime() + HOUR)).ok).toBe(false);
  });

  it("says in Alertmanager's comment where the silence came from", () => {
    expect(silenceComment(a, "  deploy ")).toBe(
      `Silenced from Slack (shared-oncall alert ${a.id}, HighErrorRate): deploy`,
    );
    expect(silenceComment(a, null)).toBe(`Silenced from Slack (shared-oncall alert ${a.id}, HighErrorRate)`);
  });
});

describe("alertmanagerTargets: which Alertmanager a rotation's pages silence in", () => {
  type Own = NonNullable<(typeof config.rotations)[number]["alertmanager"]>;
  /** The test org with every rotation naming `am`, resolved against `env`. */
  const resolve = (
    am: Own | null,
    env: NodeJS.ProcessEnv,
    global: { url: string; authorization: null } | null = null,
  ) =>
    alertmanagerTargets(
      am ? { ...config, rotations: config.rotations.map((r) => ({ ...r, alertmanager: am })) } : config,
      { alertmanager: global },
      env,
    );
  const URL = "https://am.example";

  it("uses the rotation's own, its secret read from the variable it names, else ALERTMANAGER_URL's", () => {
    const global = { url: "http://am-global:9093", authorization: null };
    expect(resolve(null, {}, global)("merged")).toEqual(global);
    expect(resolve(null, {})("merged")).toBeNull();
    const bearer = resolve(
      { url: URL, auth: { kind: "bearer", tokenEnv: "AM_TOKEN" } },
      { AM_TOKEN: "s3cret" },
      global,
    );
    expect(bearer("merged")).toEqual({ url: URL, authorization: "Bearer s3cret" });
    const basic = resolve(
      { url: URL, auth: { kind: "basic", username: "bot", passwordEnv: "AM_PW" } },
      { AM_PW: "pw" },
    );
    expect(basic("merged")?.authorization).toBe(`Basic ${Buffer.from("bot:pw").toString("base64")}`);
  });

  it("refuses to start when the named variable is unset, naming file and field but no secret", () => {
    expect(() => resolve({ url: URL, auth: { kind: "bearer", tokenEnv: "AM_TOKEN" } }, {})).toThrow(
      "schedules/rotations/merged.yaml: alertmanager.bearer_token_env names AM_TOKEN, which is not set",
    );
  });
});
