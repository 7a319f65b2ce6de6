import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, formatIssue } from "../../src/config/errors";
import { loadConfig } from "../../src/config/load";
import type { Team } from "../../src/core/config";
import { configDir, issuesOf, load, MINIMAL, REPO_ROOT, removeConfigDirs, replace } from "./helpers";

afterEach(removeConfigDirs);

describe("the shipped example organisation", () => {
  // Uses the real handler registry, as the bot does at start-up.
  const config = loadConfig(REPO_ROOT);

  it("loads clean", () => {
    expect(config.dir).toBe(REPO_ROOT.replace(/\/$/, ""));
    expect(config.teams.map((t) => t.id)).toEqual(["playback", "search", "payments"]);
    expect(config.services.length).toBeGreaterThanOrEqual(6);
    expect(config.fallbackRotation).toBe("merged");
    expect(config.review).toEqual({
      channel: "C0REVIEW",
      day: "mon",
      time: { hour: 11, minute: 0 },
      timezone: "Europe/Berlin",
    });
  });

  it("has one merged rotation with an engineer from every team", () => {
    expect(config.rotations).toHaveLength(1);
    const merged = config.rotations[0]!;
    expect(merged).toMatchObject({
      id: "merged",
      teams: ["playback", "search", "payments"],
      start: "2026-01-05",
      handoff: { day: "mon", time: { hour: 10, minute: 0 } },
      shift: { unit: "w", amount: 1 },
      escalation: { ackTimeoutMs: 15 * 60_000, repeats: 2 },
      loadLimits: { pagesPerWeek: 20, windowWeeks: 4 },
    });
    for (const team of merged.teams) expect(merged.participants.some((p) => p.team === team)).toBe(true);
  });

  it("has a runbook with context and meaning for every example alert", () => {
    const alerts = [
      "HighErrorRate",
      "HighLatency",
      "PodCrashLooping",
      "DiskAlmostFull",
      "CertificateExpiringSoon",
      "QueueBacklogGrowing",
      "PaymentProviderErrors",
    ];
    for (const alert of alerts) {
      const runbook = config.runbooks[alert];
      expect(runbook?.file).toBe(`runbooks/${alert}.md`);
      expect(runbook?.context.length).toBeGreaterThan(50);
      expect(runbook?.meaning.length).toBeGreaterThan(50);
      expect(runbook?.steps).not.toBeNull();
    }
    const handlers = Object.values(config.runbooks).flatMap((r) =>
      r.remediation ? [r.remediation.handler] : [],
    );
    expect(handlers.sort()).toEqual(["command", "http-request", "wait-and-recheck"]);
  });
});

describe("the loaded config", () => {
  it("maps snake_case YAML to the typed config, with defaults", () => {
    const config = load(MINIMAL);
    const beta = config.teams[1]!;
    expect(beta).toEqual({
      id: "beta",
      name: "beta",
      channel: "C0BETA",
      members: ["U0B1", "U0B2"],
      timezone: "UTC",
      workdays: {
        days: ["mon", "tue", "wed", "thu", "fri"],
        hours: { startMinute: 0, endMinute: 1440 },
        holidays: null,
      },
    });
    expect(config.services[1]).toEqual({
      id: "beta-db",
      name: "Beta database",
      team: "beta",
      match: { job: "postgres", cluster: "beta" },
    });
    expect(config.runbooks.TestAlert?.remediation).toEqual({
      handler: "echo",
      params: { text: "hi {{labels.instance}}" },
      auto: true,
      perInstance: false,
      retries: 1,
      timeoutMs: 30_000,
    });
    expect(config.runbooks.OtherAlert?.remediation).toBeNull();
    expect(config.runbooks.TestAlert?.steps).toBe("1. Look.\n2. Fix.");
    expect(config.runbooks.TestAlert?.body.startsWith("## Context")).toBe(true);
  });

  it("does not find Object.prototype members as runbooks", () => {
    expect(load(MINIMAL).runbooks.toString).toBeUndefined();
  });

  it("is deeply frozen: mutating it throws", () => {
    const config = load(MINIMAL);
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config.teams as Team[]).push(config.teams[0]!);
    }).toThrow(TypeError);
    expect(() => {
      (config.teams[0]!.members as string[])[0] = "U0EVIL";
    }).toThrow(TypeError);
    expect(() => {
      (config.rotations[0]!.escalation as { repeats: number }).repeats = 9;
    }).toThrow(TypeError);
    expect(() => {
      (config.runbooks.TestAlert!.remediation!.params as Record<string, unknown>).text = "rm -rf";
    }).toThrow(TypeError);
  });
});

describe("collecting every problem", () => {
  it("reports three errors in three files at once", () => {
    const dir = configDir({
      "schedules/teams.yaml": replace("timezone: Europe/Berlin", "timezone: Europe/Berlinn"),
      "schedules/rotations/main.yaml": replace("shift: 1w", "shift: 5h"),
      "runbooks/TestAlert.md": replace("handler: echo", "handler: restart"),
    });
    const issues = issuesOf(dir);
    expect(issues.map((i) => `${i.file} ${i.field}`)).toEqual([
      "schedules/teams.yaml teams[0].timezone",
      "schedules/rotations/main.yaml shift",
      "runbooks/TestAlert.md remediation.handler",
    ]);
  });

  it("throws a ConfigError whose message lists every issue, one per line", () => {
    const dir = configDir({
      "schedules/teams.yaml": replace("timezone: Europe/Berlin", "timezone: Europe/Berlinn"),
      "schedules/services.yaml": replace("team: alpha", "team: nobody"),
    });
    let error: unknown;
    try {
      load(dir);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.name).toBe("ConfigError");
    expect(configError.message.split("\n")).toEqual(configError.issues.map(formatIssue));
    expect(configError.message.split("\n")[0]).toBe(
      'schedules/teams.yaml:7 teams[0].timezone: "Europe/Berlinn" is not an IANA time zone; use e.g. "Europe/Berlin"',
    );
    expect(configError.message).toContain("schedules/services.yaml:4 services[0].team:");
  });

  it("still checks references when another entry of the same file is malformed", () => {
    const dir = configDir({
      "schedules/teams.yaml": replace("timezone: UTC", "timezone: Mars/Olympus"),
      "schedules/rotations/main.yaml": replace("  - { user: U0B1, team: beta }\n", ""),
    });
    const messages = issuesOf(dir).map((i) => i.message);
    expect(messages.some((m) => m.includes("Mars/Olympus"))).toBe(true);
    expect(messages.some((m) => m.includes('team "beta" gives no engineer'))).toBe(true);
  });
});
