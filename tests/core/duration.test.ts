import { describe, expect, it } from "vitest";
import { formatDuration } from "../../src/core/duration";

describe("formatDuration", () => {
  it("writes seconds, minutes, hours with padded minutes, and days", () => {
    expect(formatDuration(null)).toBe("–");
    expect(formatDuration(Number.NaN)).toBe("–");
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(59_400)).toBe("59s");
    expect(formatDuration(45 * 60_000)).toBe("45m");
    expect(formatDuration(125 * 60_000)).toBe("2h 05m");
    expect(formatDuration((3 * 24 + 4) * 3600_000 + 59 * 60_000)).toBe("3d 4h");
  });
});
