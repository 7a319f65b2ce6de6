import { describe, expect, it } from "vitest";
import { bearerTokenMatches, genieKeyMatches } from "../../../src/platform/http/auth";

const KEY = "0123456789abcdef0123";

describe("genieKeyMatches", () => {
  it("returns the accepted key the header carries", () => {
    expect(genieKeyMatches(`GenieKey ${KEY}`, ["other-key-0123456789", KEY])).toBe(KEY);
    expect(genieKeyMatches(`geniekey  ${KEY} `, [KEY])).toBe(KEY);
  });

  it("refuses a wrong key, another scheme, an empty key and no header", () => {
    expect(genieKeyMatches("GenieKey wrong-key-0123456789", [KEY])).toBeNull();
    expect(genieKeyMatches(`Bearer ${KEY}`, [KEY])).toBeNull();
    expect(genieKeyMatches("GenieKey ", [""])).toBeNull();
    expect(genieKeyMatches(undefined, [KEY])).toBeNull();
    expect(genieKeyMatches(`GenieKey ${KEY}`, [])).toBeNull();
  });
});

describe("bearerTokenMatches", () => {
  it("takes the token after Bearer only", () => {
    expect(bearerTokenMatches(`Bearer ${KEY}`, KEY)).toBe(true);
    expect(bearerTokenMatches(`GenieKey ${KEY}`, KEY)).toBe(false);
    expect(bearerTokenMatches("Bearer ", "")).toBe(false);
  });
});
