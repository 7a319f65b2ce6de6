// Assembles the parser-independent IncomingGroup: fills in missing fingerprints, collapses
// repeated ones, hashes the group key, and freezes the result so no consumer edits a payload.

import { fingerprintOf, groupIdOf } from "./fingerprint";
import type { IncomingGroup, IncomingInstance } from "./types";

/** An instance as a parser read it: the fingerprint may be missing (buildGroup derives it). */
export type RawInstance = Omit<IncomingInstance, "fingerprint"> & {
  readonly fingerprint?: string | undefined;
};

/** A group as a parser read it: no group id yet (buildGroup hashes the key), instances still raw. */
export type RawGroup = Omit<IncomingGroup, "groupId" | "instances"> & {
  readonly instances: readonly RawInstance[];
};

export function buildGroup(raw: RawGroup): IncomingGroup {
  // Map keeps the first position and the last value: a repeated fingerprint is a later state of the same alert.
  const byFingerprint = new Map<string, IncomingInstance>();
  for (const inst of raw.instances) {
    const fingerprint = inst.fingerprint ? inst.fingerprint : fingerprintOf(inst.labels);
    byFingerprint.set(
      fingerprint,
      Object.freeze({
        fingerprint,
        status: inst.status,
        labels: Object.freeze(inst.labels),
        annotations: Object.freeze(inst.annotations),
        startsAt: inst.startsAt,
        endsAt: inst.endsAt,
        generatorUrl: inst.generatorUrl,
        links: Object.freeze(inst.links),
      }),
    );
  }
  return Object.freeze({
    source: raw.source,
    groupKey: raw.groupKey,
    groupId: groupIdOf(raw.groupKey),
    status: raw.status,
    groupLabels: Object.freeze(raw.groupLabels),
    commonLabels: Object.freeze(raw.commonLabels),
    commonAnnotations: Object.freeze(raw.commonAnnotations),
    externalUrl: raw.externalUrl,
    instances: Object.freeze([...byFingerprint.values()]),
    title: raw.title,
    truncatedAlerts: raw.truncatedAlerts,
  });
}
