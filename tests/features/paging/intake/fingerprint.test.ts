import { describe, expect, it } from "vitest";
import { parseAlertmanagerWebhook } from "../../../../src/features/paging/intake/alertmanager";
import { fingerprintOf, groupIdOf } from "../../../../src/features/paging/intake/fingerprint";
import { fixture } from "./helpers";

describe("fingerprintOf", () => {
  it("matches Prometheus' label set fingerprint (test vectors from prometheus/common)", () => {
    expect(fingerprintOf({})).toBe("cbf29ce484222325");
    expect(fingerprintOf({ name: "garland, briggs", fear: "love is not enough" })).toBe("507a62d79ee76c9a");
  });

  it("does not depend on label order", () => {
    expect(fingerprintOf({ a: "1", b: "2", c: "3" })).toBe(fingerprintOf({ c: "3", a: "1", b: "2" }));
  });

  it("is 16 lowercase hex chars and distinguishes name/value boundaries", () => {
    const fp = fingerprintOf({ alertname: "X" });
    expect(fp).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprintOf({ ab: "c" })).not.toBe(fingerprintOf({ a: "bc" }));
    expect(fingerprintOf({ a: "1" })).not.toBe(fingerprintOf({ a: "1", b: "" }));
  });

  it("handles non-ASCII labels deterministically", () => {
    expect(fingerprintOf({ é: "ü", z: "😀" })).toBe(fingerprintOf({ z: "😀", é: "ü" }));
  });
});

describe("groupId", () => {
  it("is 20 hex chars, stable, and distinct for different group keys", () => {
    const a = groupIdOf('{}:{alertname="A"}');
    expect(a).toMatch(/^[0-9a-f]{20}$/);
    expect(groupIdOf('{}:{alertname="A"}')).toBe(a);
    expect(groupIdOf('{}:{alertname="B"}')).not.toBe(a);
  });

  it("depends on the group key only, not on which Alertmanager replica sent it", () => {
    const one = fixture("alertmanager-v4-firing.json");
    const two = fixture("alertmanager-v4-firing.json");
    two.externalURL = "http://alertmanager-2.example:9093";
    two.receiver = "other";
    expect(parseAlertmanagerWebhook(one).groupId).toBe(parseAlertmanagerWebhook(two).groupId);
    two.groupKey = '{}/{severity="page"}:{alertname="HighErrorRate", job="search-api"}';
    expect(parseAlertmanagerWebhook(two).groupId).not.toBe(parseAlertmanagerWebhook(one).groupId);
  });
});
