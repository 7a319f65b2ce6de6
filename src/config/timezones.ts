import { closest } from "./suggest";

let supported: ReadonlySet<string> | null = null;

function supportedZones(): ReadonlySet<string> {
  supported ??= new Set(Intl.supportedValuesOf("timeZone"));
  return supported;
}

function intlAccepts(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * An IANA zone name the runtime can compute with. Intl's canonical list omits "UTC" and links such
 * as "Europe/Kyiv" on some ICU versions, so Area/Location names Intl accepts count too; Intl's
 * case-insensitivity and abbreviations ("EST", "europe/berlin") do not.
 */
export function isTimeZone(zone: string): boolean {
  if (zone === "UTC" || supportedZones().has(zone)) return true;
  return /^[A-Z][A-Za-z_-]*(\/[A-Z0-9][A-Za-z0-9_+-]*)+$/.test(zone) && intlAccepts(zone);
}

export function timeZoneMessage(zone: string): string {
  const near = closest(zone, supportedZones());
  const advice = near
    ? `use e.g. ${JSON.stringify(near)}`
    : 'use an Area/City name such as "Europe/Berlin", or "UTC"';
  return `${JSON.stringify(zone)} is not an IANA time zone; ${advice}`;
}
