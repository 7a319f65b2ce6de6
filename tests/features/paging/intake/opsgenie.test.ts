import { describe, expect, it } from "vitest";
import { readOpsgenieKeys, SettingsError } from "../../../../src/config/env";
import { loadConfig } from "../../../../src/config/load";
import { openAlert } from "../../../../src/core/alert";
import { fingerprintOf, groupIdOf } from "../../../../src/features/paging/intake/fingerprint";
import {
  closeGroup,
  cut,
  opsgenieErrors,
  opsgenieGroupKey,
  parseAction,
  parseCreateAlert,
  parseIdentifierType,
  tagLabels,
} from "../../../../src/features/paging/intake/opsgenie";
import { checkOpsgenieKeys } from "../../../../src/features/paging/opsgenie-api";
import { UNROUTED_ROUTE } from "../../../support/alerts";
import { ORG_DIR } from "../../../support/harness";
import { intakeErrorOf } from "./helpers";

const NOW = new Date("2026-11-24T21:00:00Z");
const opts = { now: NOW, newAlias: () => "generated-alias" };

// What Alertmanager 0.25's opsgenie_configs sends for a group (details are its common labels).
const FROM_ALERTMANAGER = {
  alias: "6b2f1f0e0c6a4d0f9a7f0d8e5c4b3a2918273645546372819a0b1c2d3e4f5a6b",
  message: "[FIRING:2] HighErrorRate stream-api",
  description: "Alerts Firing:\n - instance = stream-api-7f9c:8080",
  details: { alertname: "HighErrorRate", job: "stream-api", severity: "page" },
  source: "http://alertmanager.example:9093",
  tags: [],
  priority: "P2",
};

describe("parseCreateAlert", () => {
  it("makes the alias the alert's identity and the details its labels", () => {
    const group = parseCreateAlert(FROM_ALERTMANAGER, opts);
    expect(group).toMatchObject({
      source: "opsgenie",
      groupKey: `opsgenie:${FROM_ALERTMANAGER.alias}`,
      groupId: groupIdOf(opsgenieGroupKey(FROM_ALERTMANAGER.alias)),
      status: "firing",
      commonLabels: { alertname: "HighErrorRate", job: "stream-api", severity: "page", priority: "P2" },
      commonAnnotations: {
        summary: "[FIRING:2] HighErrorRate stream-api",
        description: FROM_ALERTMANAGER.description,
        source: "http://alertmanager.example:9093",
      },
      externalUrl: "http://alertmanager.example:9093",
    });
    expect(group.instances).toHaveLength(1);
    expect(group.instances[0]).toMatchObject({
      fingerprint: fingerprintOf({ alias: FROM_ALERTMANAGER.alias }),
      status: "firing",
      startsAt: NOW.toISOString(),
      endsAt: null,
    });
  });

  it("keeps the same identity when the details change, so a repeat updates the open alert", () => {
    const a = parseCreateAlert(FROM_ALERTMANAGER, opts);
    const b = parseCreateAlert({ ...FROM_ALERTMANAGER, details: { alertname: "HighErrorRate" } }, opts);
    expect(b.groupId).toBe(a.groupId);
    expect(b.instances[0]!.fingerprint).toBe(a.instances[0]!.fingerprint);
  });

  it("names the alert by its message when no alertname detail is sent, and turns tags into labels", () => {
    const group = parseCreateAlert(
      {
        message: "Disk full on db-1",
        tags: ["job:checkout", "team=payments", "prod", "urgent"],
        entity: "db-1",
      },
      opts,
    );
    expect(group.commonLabels).toEqual({
      alertname: "Disk full on db-1",
      job: "checkout",
      team: "payments",
      tags: "prod,urgent",
      entity: "db-1",
      instance: "db-1",
    });
    // Without an alias Opsgenie makes a new alert each time: the alias comes from newAlias.
    expect(group.groupKey).toBe("opsgenie:generated-alias");
  });

  it("lets details win over a tag of the same name", () => {
    expect(tagLabels(["job:a", "b"])).toEqual({ job: "a", tags: "b" });
    const group = parseCreateAlert(
      { message: "m", details: { job: "from-details" }, tags: ["job:from-tag"] },
      opts,
    );
    expect(group.commonLabels.job).toBe("from-details");
  });

  it("cuts a message longer than Opsgenie's 130 characters instead of losing the page", () => {
    const group = parseCreateAlert({ message: "x".repeat(200) }, opts);
    expect([...group.commonAnnotations.summary!]).toHaveLength(130);
    expect(group.commonAnnotations.summary!.endsWith("…")).toBe(true);
    expect(cut("😀".repeat(131), 130)).toHaveLength(129 * 2 + 1);
  });

  it("turns numbers in details into text, as scripts send them", () => {
    const group = parseCreateAlert({ message: "m", details: { count: 3, ok: false } }, opts);
    expect(group.commonLabels).toMatchObject({ count: "3", ok: "false" });
  });

  it("refuses a missing message, naming the field as Opsgenie does", () => {
    const err = intakeErrorOf(() => parseCreateAlert({ alias: "a" }, opts));
    expect(opsgenieErrors(err)).toEqual({
      message: "expected a string, got nothing (the field is missing)",
    });
    const empty = intakeErrorOf(() => parseCreateAlert({ message: "  " }, opts));
    expect(opsgenieErrors(empty)).toEqual({ message: "message can not be empty" });
  });

  it("names every bad field at once", () => {
    const err = intakeErrorOf(() =>
      parseCreateAlert(
        { message: "m", priority: "P9", tags: "a,b", details: { nested: { x: 1 } }, alias: "a".repeat(513) },
        opts,
      ),
    );
    const errors = opsgenieErrors(err);
    expect(Object.keys(errors).sort()).toEqual(["alias", "details.nested", "priority", "tags"]);
    expect(errors.priority).toContain('"P1"');
    expect(errors.alias).toBe("alias can be at most 512 characters");
    expect(errors["details.nested"]).toBe("expected a string, got an object");
  });

  it("refuses a body that is not an object", () => {
    const err = intakeErrorOf(() => parseCreateAlert([1], opts));
    expect(opsgenieErrors(err)).toEqual({ body: "expected a JSON object, got an array" });
  });
});

describe("closeGroup", () => {
  it("resolves every instance of the stored alert under its own group key", () => {
    const group = parseCreateAlert(FROM_ALERTMANAGER, opts);
    const route = { ...UNROUTED_ROUTE, oncallUser: null };
    const { alert } = openAlert({
      group,
      occurrence: 1,
      previousId: null,
      route,
      hasRunbook: () => true,
      now: NOW,
    });
    const later = new Date("2026-11-24T21:10:00Z");
    const close = closeGroup(alert, later);
    expect(close.groupId).toBe(group.groupId);
    expect(close.status).toBe("resolved");
    expect(close.instances.map((i) => [i.fingerprint, i.status, i.endsAt])).toEqual([
      [group.instances[0]!.fingerprint, "resolved", later.toISOString()],
    ]);
  });
});

describe("parseAction", () => {
  it("takes close and acknowledge without a body, and with Alertmanager's", () => {
    expect(parseAction("close", undefined)).toEqual({
      user: undefined,
      source: undefined,
      note: undefined,
      text: undefined,
    });
    expect(parseAction("close", { source: "" }).source).toBeUndefined();
    expect(parseAction("acknowledge", { user: "U02AAA", note: "on it" })).toMatchObject({
      user: "U02AAA",
      note: "on it",
    });
  });

  it("requires the note of /notes, the message of /message and the description of /description", () => {
    expect(opsgenieErrors(intakeErrorOf(() => parseAction("notes", {})))).toEqual({
      note: "expected a string, got nothing (the field is missing)",
    });
    expect(opsgenieErrors(intakeErrorOf(() => parseAction("message", { message: "" })))).toEqual({
      message: "message can not be empty",
    });
    expect(parseAction("description", { description: "new words" }).text).toBe("new words");
    expect(parseAction("message", { message: "y".repeat(140) }).text).toHaveLength(130);
  });

  it("reads identifierType, id by default", () => {
    expect(parseIdentifierType(null)).toBe("id");
    expect(parseIdentifierType("alias")).toBe("alias");
    expect(parseIdentifierType("TINY")).toBe("tiny");
    expect(opsgenieErrors(intakeErrorOf(() => parseIdentifierType("name")))).toEqual({
      identifierType: 'must be id, alias or tiny, got "name"',
    });
  });
});

describe("OPSGENIE_KEYS", () => {
  const TOKEN = "webhook-token-0123456789";

  it("reads integrations, their pins and their keys from OPSGENIE_KEY_<NAME>", () => {
    const { keys, problems } = readOpsgenieKeys(
      {
        OPSGENIE_KEYS: "payments:team=payments, search-api:service=search-api,scripts",
        OPSGENIE_KEY_PAYMENTS: "payments-key-0123456789",
        OPSGENIE_KEY_SEARCH_API: "search-key-0123456789ab",
        OPSGENIE_KEY_SCRIPTS: "scripts-key-0123456789a",
      },
      TOKEN,
    );
    expect(problems).toEqual([]);
    expect(keys).toEqual([
      { name: "payments", key: "payments-key-0123456789", pin: { kind: "team", id: "payments" } },
      { name: "search-api", key: "search-key-0123456789ab", pin: { kind: "service", id: "search-api" } },
      { name: "scripts", key: "scripts-key-0123456789a", pin: null },
    ]);
    expect(readOpsgenieKeys({}, TOKEN)).toEqual({ keys: [], problems: [] });
  });

  it("names each variable that is wrong", () => {
    const { problems } = readOpsgenieKeys(
      {
        OPSGENIE_KEYS: "a,b:group=x,c,d,d",
        OPSGENIE_KEY_A: "short",
        OPSGENIE_KEY_D: TOKEN,
      },
      TOKEN,
    );
    expect(problems).toEqual([
      "OPSGENIE_KEY_A is too short: use at least 16 characters (`openssl rand -hex 32`)",
      'OPSGENIE_KEYS entry "b:group=x" is not "name", "name:team=<team id>" or "name:service=<service id>" (names: lower-case letters, digits, dashes)',
      'OPSGENIE_KEY_C is required: the GenieKey of integration "c" listed in OPSGENIE_KEYS',
      "OPSGENIE_KEY_D is the same key as ALERT_WEBHOOK_TOKEN: give every integration its own key, so it is clear where an alert routes",
      'OPSGENIE_KEYS names integration "d" twice',
    ]);
  });

  it("refuses to start when a pin names a team or service the config lacks, with a suggestion", () => {
    const config = loadConfig(ORG_DIR);
    const pin = (kind: "team" | "service", id: string) => [
      { name: "x", key: "k".repeat(16), pin: { kind, id } },
    ];
    expect(() => checkOpsgenieKeys(config, pin("team", "payments"))).not.toThrow();
    expect(() => checkOpsgenieKeys(config, pin("service", "checkout"))).not.toThrow();
    expect(() => checkOpsgenieKeys(config, pin("team", "paymnts"))).toThrow(SettingsError);
    expect(() => checkOpsgenieKeys(config, pin("team", "paymnts"))).toThrow(
      'OPSGENIE_KEYS: integration "x" pins team "paymnts", which schedules/teams.yaml does not define; did you mean "payments"?',
    );
  });
});
