// Assembles the parser-independent IncomingGroup: fills in missing fingerprints, collapses
// repeated ones, hashes the group key, and freezes the result so no consumer edits a payload.

import { fingerprintOf, groupIdOf } from "./fingerprint";
import type { AlertSource, IncomingGroup, IncomingInstance, InstanceStatus, LabelSet } from "./types";

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

/**
 * A group of one instance that the bot raises itself (a page typed in Slack, a missed heartbeat):
 * the instance carries the group's labels and annotations; resolved instances end when they start.
 */
export function singleInstanceGroup(input: {
  readonly source: AlertSource;
  readonly groupKey: string;
  readonly status: InstanceStatus;
  readonly groupLabels: LabelSet;
  readonly labels: LabelSet;
  readonly annotations: LabelSet;
  readonly at: Date;
}): IncomingGroup {
  const { status, labels, annotations } = input;
  const at = input.at.toISOString();
  return buildGroup({
    source: input.source,
    groupKey: input.groupKey,
    status,
    groupLabels: input.groupLabels,
    commonLabels: labels,
    commonAnnotations: annotations,
    externalUrl: null,
    title: null,
    truncatedAlerts: 0,
    instances: [
      {
        status,
        labels,
        annotations,
        startsAt: at,
        endsAt: status === "resolved" ? at : null,
        generatorUrl: null,
        links: {},
      },
    ],
  });
}
