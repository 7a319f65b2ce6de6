// Alertmanager's own fingerprint (Prometheus model.LabelSet.Fingerprint: FNV-1a 64 over the
// byte-sorted label names and values, each followed by 0xff), so an alert that arrives without
// a fingerprint gets the same identity Alertmanager would have given it.

import { createHash } from "node:crypto";
import type { LabelSet } from "./types";

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;
const SEPARATOR = 0xff;

export function fingerprintOf(labels: LabelSet): string {
  // Go sorts label names bytewise (UTF-8); JS string order differs for some astral characters.
  const names = Object.keys(labels)
    .map((name) => Buffer.from(name, "utf8"))
    .sort(Buffer.compare);
  let hash = FNV_OFFSET;
  for (const name of names) {
    hash = addBytes(hash, name);
    hash = addByte(hash, SEPARATOR);
    hash = addBytes(hash, Buffer.from(labels[name.toString("utf8")] ?? "", "utf8"));
    hash = addByte(hash, SEPARATOR);
  }
  return hash.toString(16).padStart(16, "0");
}

/** 20 hex chars of sha256: short enough for Redis keys and BullMQ job ids, wide enough not to collide. */
export function groupIdOf(groupKey: string): string {
  return createHash("sha256").update(groupKey, "utf8").digest("hex").slice(0, 20);
}

function addBytes(hash: bigint, bytes: Uint8Array): bigint {
  let h = hash;
  for (const b of bytes) h = addByte(h, b);
  return h;
}

function addByte(hash: bigint, byte: number): bigint {
  return ((hash ^ BigInt(byte)) * FNV_PRIME) & MASK_64;
}
