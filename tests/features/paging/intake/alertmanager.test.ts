import { describe, expect, it } from "vitest";
import { parseAlertmanagerWebhook } from "../../../../src/features/paging/intake/alertmanager";
import { fingerprintOf } from "../../../../src/features/paging/intake/fingerprint";
import { MAX_ALERTS_PER_PAYLOAD } from "../../../../src/features/paging/intake/limits";
import { fixture, intakeErrorOf } from "./helpers";

describe("parseAlertmanagerWebhook: Alertmanager v4", () => {
  it("parses the firing fixture into one group with two instances", () => {
    const group = parseAlertmanagerWebhook(fixture("alertmanager-v4-firing.json"));
    expect(group.source).toBe("alertmanager");
    expect(group.groupKey).toBe('{}/{severity="page"}:{alertname="HighErrorRate", job="stream-api"}');
    expect(group.groupId).toMatch(/^[0-9a-f]{20}$/);
    expect(group.status).toBe("firing");
    expect(group.groupLabels).toEqual({ alertname: "HighErrorRate", job: "stream-api" });
    expect(group.commonLabels).toMatchObject({ alertname: "HighErrorRate", severity: "page" });
    expect(group.commonAnnotations).toEqual({ summary: "stream-api 5xx ratio above 5% for 10m" });
    expect(group.externalUrl).toBe("http://alertmanager.example:9093");
    expect(group.title).toBeNull();
    expect(group.truncatedAlerts).toBe(0);
    expect(group.instances.map((i) => i.fingerprint)).toEqual(["5c3d6e1a9b0f4d27", "a81f0c5e2d734b90"]);
    const first = group.instances[0]!;
    expect(first).toMatchObject({
      status: "firing",
      startsAt: "2026-11-24T21:03:12.481Z",
      endsAt: null,
      links: {},
    });
    expect(first.labels.instance).toBe("stream-api-7f9c:8080");
    expect(first.annotations.runbook_url).toBe("https://wiki.example/runbooks/HighErrorRate");
    expect(first.generatorUrl).toMatch(/^http:\/\/prometheus\.example:9090\/graph\?/);
  });

  it("parses the resolved fixture, with endsAt set, into the same group id", () => {
    const firing = parseAlertmanagerWebhook(fixture("alertmanager-v4-firing.json"));
    const resolved = parseAlertmanagerWebhook(fixture("alertmanager-v4-resolved.json"));
    expect(resolved.status).toBe("resolved");
    expect(resolved.groupId).toBe(firing.groupId);
    expect(resolved.instances).toHaveLength(1);
    expect(resolved.instances[0]).toMatchObject({
      fingerprint: "5c3d6e1a9b0f4d27",
      status: "resolved",
      endsAt: "2026-11-24T21:41:05.000Z",
    });
  });

  it("returns frozen objects", () => {
    const group = parseAlertmanagerWebhook(fixture("alertmanager-v4-firing.json"));
    expect(Object.isFrozen(group)).toBe(true);
    expect(Object.isFrozen(group.instances)).toBe(true);
    expect(Object.isFrozen(group.instances[0]!.labels)).toBe(true);
  });

  it("computes Alertmanager's fingerprint when an alert has none", () => {
    const body = fixture("alertmanager-v4-firing.json");
    delete body.alerts[0]!.fingerprint;
    body.alerts[1]!.fingerprint = "";
    const group = parseAlertmanagerWebhook(body);
    const labels0 = body.alerts[0]!.labels as Record<string, string>;
    const labels1 = body.alerts[1]!.labels as Record<string, string>;
    expect(group.instances.map((i) => i.fingerprint)).toEqual([
      fingerprintOf(labels0),
      fingerprintOf(labels1),
    ]);
  });

  it("keeps the last alert when a fingerprint repeats", () => {
    const body = fixture("alertmanager-v4-firing.json");
    body.alerts.push({ ...body.alerts[0]!, status: "resolved", endsAt: "2026-11-24T22:00:00Z" });
    const group = parseAlertmanagerWebhook(body);
    expect(group.instances).toHaveLength(2);
    expect(group.instances[0]).toMatchObject({ fingerprint: "5c3d6e1a9b0f4d27", status: "resolved" });
  });

  it("reads optional fields leniently: missing annotations, groupLabels, externalURL, generatorURL", () => {
    const body = fixture("alertmanager-v4-firing.json");
    delete body.commonAnnotations;
    delete body.groupLabels;
    delete body.externalURL;
    delete body.truncatedAlerts;
    delete body.alerts[0]!.annotations;
    delete body.alerts[0]!.generatorURL;
    delete body.alerts[0]!.endsAt;
    const group = parseAlertmanagerWebhook(body);
    expect(group.commonAnnotations).toEqual({});
    expect(group.groupLabels).toEqual({});
    expect(group.externalUrl).toBeNull();
    expect(group.instances[0]).toMatchObject({ annotations: {}, generatorUrl: null, endsAt: null });
  });

  it("reports truncatedAlerts", () => {
    const body = fixture("alertmanager-v4-firing.json");
    body.truncatedAlerts = 7;
    expect(parseAlertmanagerWebhook(body).truncatedAlerts).toBe(7);
  });

  it("drops links that are not http(s) instead of refusing the page", () => {
    const body = fixture("alertmanager-v4-firing.json");
    body.alerts[0]!.generatorURL = "javascript:alert(1)";
    body.externalURL = "not a url";
    const group = parseAlertmanagerWebhook(body);
    expect(group.instances[0]!.generatorUrl).toBeNull();
    expect(group.externalUrl).toBeNull();
  });

  it("treats label values as opaque strings, including markup and odd keys", () => {
    const body = fixture("alertmanager-v4-firing.json");
    body.alerts[0]!.labels = JSON.parse(
      '{"alertname":"HighErrorRate","__proto__":"x","job":"<!channel> *bold* <http://evil|click>"}',
    );
    const group = parseAlertmanagerWebhook(body);
    const labels = group.instances[0]!.labels;
    expect(Object.keys(labels)).toEqual(["alertname", "__proto__", "job"]);
    expect(labels.job).toBe("<!channel> *bold* <http://evil|click>");
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
  });

  it("normalises timestamps with nanoseconds and offsets to ISO UTC", () => {
    const body = fixture("alertmanager-v4-firing.json");
    body.alerts[0]!.startsAt = "2026-11-24T22:03:12.481234567+01:00";
    expect(parseAlertmanagerWebhook(body).instances[0]!.startsAt).toBe("2026-11-24T21:03:12.481Z");
  });

  it("accepts exactly the limit of alerts", () => {
    const body = fixture("alertmanager-v4-firing.json");
    const template = body.alerts[0]!;
    body.alerts = Array.from({ length: MAX_ALERTS_PER_PAYLOAD }, (_, i) => ({
      ...template,
      fingerprint: `fp-${i}`,
    }));
    expect(parseAlertmanagerWebhook(body).instances).toHaveLength(MAX_ALERTS_PER_PAYLOAD);
  });
});

describe("parseAlertmanagerWebhook: Grafana (version 1)", () => {
  it("parses the Grafana fixture with title and links", () => {
    const group = parseAlertmanagerWebhook(fixture("grafana-webhook.json"));
    expect(group.source).toBe("grafana");
    expect(group.title).toBe("[FIRING:1] DiskAlmostFull (blobstore)");
    expect(group.groupKey).toBe('{}:{alertname="DiskAlmostFull"}');
    expect(group.externalUrl).toBe("http://grafana.example/");
    expect(group.instances).toHaveLength(1);
    expect(group.instances[0]).toMatchObject({
      fingerprint: "0f2e9a7c55d01b3e",
      status: "firing",
      startsAt: "2026-11-24T20:10:00.000Z",
      endsAt: null,
      generatorUrl: "http://grafana.example/alerting/grafana/abc123/view",
      links: {
        dashboardURL: "http://grafana.example/d/blobstore",
        panelURL: "http://grafana.example/d/blobstore?viewPanel=4",
        silenceURL: "http://grafana.example/alerting/silence/new?alertmanager=grafana",
      },
    });
  });

  it("requires orgId for version 1", () => {
    const body = fixture("grafana-webhook.json");
    delete body.orgId;
    const err = intakeErrorOf(() => parseAlertmanagerWebhook(body));
    expect(err.field).toBe("orgId");
  });
});

describe("parseAlertmanagerWebhook: malformed payloads", () => {
  it.each([
    ["an array", []],
    ["a string", "hello"],
    ["null", null],
  ])("refuses %s as the body", (_name, body) => {
    const err = intakeErrorOf(() => parseAlertmanagerWebhook(body));
    expect(err.field).toBe("");
    expect(err.message).toMatch(/^payload: expected a JSON object/);
  });

  it("refuses an unknown version, naming what is accepted", () => {
    const body = fixture("alertmanager-v4-firing.json");
    body.version = "3";
    const err = intakeErrorOf(() => parseAlertmanagerWebhook(body));
    expect(err.field).toBe("version");
    expect(err.message).toBe('version: expected "4" (Alertmanager) or "1" (Grafana alerting), got "3"');
  });

  it("refuses a numeric version", () => {
    const body = fixture("alertmanager-v4-firing.json");
    body.version = 4;
    expect(intakeErrorOf(() => parseAlertmanagerWebhook(body)).message).toMatch(/got 4$/);
  });

  it("refuses a payload without alerts", () => {
    const body = fixture("alertmanager-v4-firing.json");
    delete (body as Record<string, unknown>).alerts;
    const err = intakeErrorOf(() => parseAlertmanagerWebhook(body));
    expect(err.field).toBe("alerts");
    expect(err.message).toBe("alerts: expected an array, got nothing (the field is missing)");
  });

  it("refuses an empty alerts list", () => {
    const body = fixture("alertmanager-v4-firing.json");
    body.alerts = [];
    const err = intakeErrorOf(() => parseAlertmanagerWebhook(body));
    expect(err.field).toBe("alerts");
    expect(err.message).toMatch(/at least one alert/);
  });

  it("refuses a bad status with the path and both allowed values", () => {
    const body = fixture("alertmanager-v4-firing.json");
    body.alerts[1]!.status = "pending";
    const err = intakeErrorOf(() => parseAlertmanagerWebhook(body));
    expect(err.field).toBe("alerts[1].status");
    expect(err.message).toBe('alerts[1].status: expected "firing" or "resolved", got "pending"');
  });

  it("refuses a bad group status", () => {
    const body = fixture("alertmanager-v4-firing.json");
    body.status = "FIRING";
    expect(intakeErrorOf(() => parseAlertmanagerWebhook(body)).field).toBe("status");
  });

  it("refuses a non-string label value", () => {
    const body = fixture("alertmanager-v4-firing.json");
    (body.alerts[0]!.labels as Record<string, unknown>).instance = 8080;
    const err = intakeErrorOf(() => parseAlertmanagerWebhook(body));
    expect(err.field).toBe("alerts[0].labels.instance");
    expect(err.message).toBe("alerts[0].labels.instance: expected a string, got 8080");
  });

  it("refuses a non-string annotation value and an odd label key with a bracketed path", () => {
    const body = fixture("alertmanager-v4-firing.json");
    (body.alerts[0]!.annotations as Record<string, unknown>)["dashboard-url"] = { nested: true };
    const err = intakeErrorOf(() => parseAlertmanagerWebhook(body));
    expect(err.field).toBe('alerts[0].annotations["dashboard-url"]');
    expect(err.message).toMatch(/expected a string, got an object$/);
  });

  it("refuses an alert without alertname", () => {
    const body = fixture("alertmanager-v4-firing.json");
    delete (body.alerts[1]!.labels as Record<string, unknown>).alertname;
    const err = intakeErrorOf(() => parseAlertmanagerWebhook(body));
    expect(err.field).toBe("alerts[1].labels.alertname");
    expect(err.message).toMatch(/needs an alertname label/);
  });

  it("refuses labels that are not an object", () => {
    const body = fixture("alertmanager-v4-firing.json");
    body.alerts[0]!.labels = ["alertname=HighErrorRate"];
    const err = intakeErrorOf(() => parseAlertmanagerWebhook(body));
    expect(err.field).toBe("alerts[0].labels");
    expect(err.message).toMatch(/expected an object of strings, got an array/);
  });

  it("refuses an unparseable startsAt", () => {
    const body = fixture("alertmanager-v4-firing.json");
    body.alerts[0]!.startsAt = "yesterday";
    const err = intakeErrorOf(() => parseAlertmanagerWebhook(body));
    expect(err.field).toBe("alerts[0].startsAt");
    expect(err.message).toMatch(/RFC 3339/);
  });

  it("refuses a missing groupKey", () => {
    const body = fixture("alertmanager-v4-firing.json");
    delete body.groupKey;
    expect(intakeErrorOf(() => parseAlertmanagerWebhook(body)).field).toBe("groupKey");
  });

  it("refuses more than the limit of alerts before validating them", () => {
    const body = fixture("alertmanager-v4-firing.json");
    body.alerts = Array.from({ length: MAX_ALERTS_PER_PAYLOAD + 1 }, () => ({ garbage: true }));
    const err = intakeErrorOf(() => parseAlertmanagerWebhook(body));
    expect(err.field).toBe("alerts");
    expect(err.message).toMatch(/at most 1000 alerts per payload, got 1001/);
  });

  it("lists several problems in one error, the first one as field", () => {
    const body = fixture("alertmanager-v4-firing.json");
    body.alerts[0]!.status = "pending";
    delete (body.alerts[1]!.labels as Record<string, unknown>).alertname;
    const err = intakeErrorOf(() => parseAlertmanagerWebhook(body));
    expect(err.field).toBe("alerts[0].status");
    expect(err.issues.map((i) => i.field)).toEqual(["alerts[0].status", "alerts[1].labels.alertname"]);
    expect(err.message).toContain("; alerts[1].labels.alertname:");
  });
});

describe("parseAlertmanagerWebhook error text", () => {
  it("lists every problem, not the first five and a count", () => {
    const body = fixture("alertmanager-v4-firing.json");
    body.alerts[0]!.status = "pending";
    body.alerts[1]!.status = "pending";
    delete (body.alerts[0]!.labels as Record<string, unknown>).alertname;
    delete (body.alerts[1]!.labels as Record<string, unknown>).alertname;
    body.alerts[0]!.startsAt = "yesterday";
    body.alerts[1]!.startsAt = "yesterday";
    body.alerts[0]!.fingerprint = 7;
    const err = intakeErrorOf(() => parseAlertmanagerWebhook(body));
    expect(err.issues).toHaveLength(7);
    expect(err.message).not.toMatch(/more problem/);
    for (const field of ["alerts[0].status", "alerts[1].startsAt", "alerts[0].fingerprint"]) {
      expect(err.message).toContain(`${field}: `);
    }
  });
});
