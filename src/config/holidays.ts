import Holidays from "date-holidays";
import { hint } from "./suggest";

let countries: Readonly<Record<string, string>> | null = null;

function knownCountries(): Readonly<Record<string, string>> {
  countries ??= new Holidays().getCountries();
  return countries;
}

/**
 * Checks a date-holidays region, "DE" or "DE-BY" (country, optional state). Returns what is wrong,
 * or null when the region is known, so a typo cannot silently mean "no public holidays".
 */
export function holidayRegionProblem(region: string): string | null {
  const match = /^([A-Z]{2})(?:-([A-Z0-9]{1,3}))?$/.exec(region);
  if (!match) {
    return `${JSON.stringify(region)} is not a holiday region; use an upper-case country code with an optional state, e.g. "DE", "DE-BY" or "US"`;
  }
  const [, country, state] = match as unknown as [string, string, string | undefined];
  const all = knownCountries();
  if (!(country in all)) {
    return `${JSON.stringify(country)} is not a country known to date-holidays${hint(country, Object.keys(all), "e.g.")}`;
  }
  if (state === undefined) return null;
  const states = new Holidays().getStates(country) ?? {};
  if (!(state in states)) {
    const codes = Object.keys(states).map((s) => `${country}-${s}`);
    return codes.length === 0
      ? `date-holidays knows no states for ${country}; use just ${JSON.stringify(country)}`
      : `${JSON.stringify(region)} is not a state of ${country}${hint(`${country}-${state}`, codes, "states")}`;
  }
  return null;
}
