import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { IntakeError } from "../../../../src/features/paging/intake/types";

// Copies of ../shared/fixtures, so the suite runs from any clone.
const FIXTURES = new URL("../../../fixtures/payloads", import.meta.url).pathname;

/** A fresh deep copy each time, so a test can mutate it freely. */
export function fixture(name: string): Record<string, unknown> & { alerts: Record<string, unknown>[] } {
  return JSON.parse(readFileSync(`${FIXTURES}/${name}`, "utf8"));
}

export function intakeErrorOf(fn: () => unknown): IntakeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(IntakeError);
    return err as IntakeError;
  }
  throw new Error("expected an IntakeError, but parsing succeeded");
}
