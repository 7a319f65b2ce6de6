import { describe, expect, it } from "vitest";
import { parseAlertmanagerWebhook } from "../../../../src/features/paging/intake/alertmanager";
import { fingerprintOf } from "../../../../src/features/paging/intake/fingerprint";
import { parseGenericAlert } from "../../../../src/features/paging/intake/generic";
import { fixture, intakeErrorOf } from "./helpers";

const NOW = new Date("2026-11-24T21:00:00Z");

describe("parseGenericAlert", () => {
  it("turns one alert into its own group, with alertname taken from name", () => {
    const group = parseGenericAlert(
      {
        name: "BackupFailed",
        status: "firing",
        labels: { job: "backup", env: "prod" },
        annotations: { summary: "nightly backup failed" },
      },
      NOW,
    );
    const labels = { job: "backup", env: "prod", alertname: "BackupFailed" };
    const fp = fingerprintOf(labels);
    expect(group).toMatchObject({
      source: "generic",
      groupKey: `generic:${fp}`,
      status: "firing",
      commonLabels: labels,
      commonAnnotations: { summary: "nightly backup failed" },
      externalUrl: null,
      title: null,
    });
    expect(group.groupId).toMatch(/^[0-9a-f]{20}$/);
    expect(group.instances).toEqual([
      {
        fingerprint: fp,
        status: "firing",
        labels,
        annotations: { summary: "nightly backup failed" },
        startsAt: NOW.toISOString(),
        endsAt: null,
        generatorUrl: null,
        links: {},
      },
    ]);
  });

  it("uses a given fingerprint for identity and group key", () => {
    const group = parseGenericAlert({ name: "X", status: "firing", fingerprint: "abc123" }, NOW);
    expect(group.instances[0]!.fingerprint).toBe("abc123");
    expect(group.groupKey).toBe("generic:abc123");
  });

  it("puts alerts that name the same group into one group id", () => {
    const a = parseGenericAlert(
      { name: "DiskFull", status: "firing", labels: { host: "a" }, group: "storage" },
      NOW,
    );
    const b = parseGenericAlert(
      { name: "DiskFull", status: "firing", labels: { host: "b" }, group: "storage" },
      NOW,
    );
    expect(a.groupKey).toBe("generic:storage");
    expect(a.groupId).toBe(b.groupId);
    expect(a.instances[0]!.fingerprint).not.toBe(b.instances[0]!.fingerprint);
  });

  it("keeps a generic alert apart from others without a group", () => {
    const a = parseGenericAlert({ name: "DiskFull", status: "firing", labels: { host: "a" } }, NOW);
    const b = parseGenericAlert({ name: "DiskFull", status: "firing", labels: { host: "b" } }, NOW);
    expect(a.groupId).not.toBe(b.groupId);
  });

  it("gives the same fingerprint Alertmanager would for the same labels", () => {
    const am = parseAlertmanagerWebhook(fixture("alertmanager-v4-firing.json"));
    const labels = { ...am.instances[0]!.labels };
    const generic = parseGenericAlert({ name: "HighErrorRate", status: "firing", labels }, NOW);
    expect(generic.instances[0]!.fingerprint).toBe(fingerprintOf(am.instances[0]!.labels));
  });

  it("accepts a matching labels.alertname", () => {
    const group = parseGenericAlert({ name: "A", status: "firing", labels: { alertname: "A" } }, NOW);
    expect(group.commonLabels.alertname).toBe("A");
  });

  it("stamps a resolved alert's end with now unless given, and honours startsAt", () => {
    const group = parseGenericAlert(
      {
        name: "A",
        status: "resolved",
        startsAt: "2026-11-24T20:00:00Z",
        generatorURL: "https://ci.example/run/1",
      },
      NOW,
    );
    expect(group.instances[0]).toMatchObject({
      startsAt: "2026-11-24T20:00:00.000Z",
      endsAt: NOW.toISOString(),
      generatorUrl: "https://ci.example/run/1",
    });
  });

  it("refuses labels.alertname that disagrees with name", () => {
    const err = intakeErrorOf(() =>
      parseGenericAlert({ name: "A", status: "firing", labels: { alertname: "B" } }),
    );
    expect(err.field).toBe("labels.alertname");
    expect(err.message).toBe('labels.alertname: must match name ("A") or be left out, got "B"');
  });

  it.each([
    ["not an object", "A", ""],
    ["missing name", { status: "firing" }, "name"],
    ["empty name", { name: "", status: "firing" }, "name"],
    ["bad status", { name: "A", status: "pending" }, "status"],
    ["non-string label", { name: "A", status: "firing", labels: { port: 80 } }, "labels.port"],
    ["labels not an object", { name: "A", status: "firing", labels: "a=b" }, "labels"],
    ["empty group", { name: "A", status: "firing", group: "" }, "group"],
    ["bad startsAt", { name: "A", status: "firing", startsAt: "soon" }, "startsAt"],
  ])("refuses %s", (_name, body, field) => {
    expect(intakeErrorOf(() => parseGenericAlert(body, NOW)).field).toBe(field);
  });
});

describe("parseGenericAlert refuses fields it does not know", () => {
  it("names a misspelt field and suggests the right one", () => {
    const err = intakeErrorOf(() =>
      parseGenericAlert({ name: "DiskFull", status: "firing", label: { team: "storage" } }, NOW),
    );
    expect(err.field).toBe("label");
    expect(err.message).toBe('label: unknown field; did you mean "labels"?');
  });

  it("lists the known fields for a name nothing like them, and every unknown field", () => {
    const err = intakeErrorOf(() =>
      parseGenericAlert({ name: "DiskFull", status: "firing", colour: "red", severty: "page" }, NOW),
    );
    expect(err.issues.map((i) => i.field)).toEqual(["colour", "severty"]);
    expect(err.message).toContain(
      "colour: unknown field; known fields: name, status, labels, annotations, fingerprint, group, startsAt",
    );
  });
});
