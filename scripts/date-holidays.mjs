// Stands in for the date-holidays package in the production build (scripts/build.mjs copies it to
// dist/date-holidays.js and points the bundle's `import Holidays from "date-holidays"` here). It is
// date-holidays' own Holidays class (date-holidays-parser over the same data), but the data of a
// country is read from dist/holidays/<CC>.json the first time something asks for that country, where
// the package loads the rules of all ~200 countries at import (about 5 MB of heap, 8 MB of RSS, for
// the two or three countries a config names). tests/build.test.ts checks it answers as the package does.
// Plain JavaScript: it is copied, not compiled.

import { readFileSync } from "node:fs";
import HolidaysParser from "date-holidays-parser";

const DIR = new URL("./holidays/", import.meta.url);
const read = (name) => JSON.parse(readFileSync(new URL(name, DIR), "utf8"));

/** { version, license, names, countries: { CC: { names, langs } } }: what is needed without a country. */
const index = read("index.json");
const loaded = new Map();

function country(code) {
  let data = loaded.get(code);
  if (data === undefined) {
    data = read(`${code}.json`);
    loaded.set(code, data);
  }
  return data;
}

const known = (code) => typeof code === "string" && Object.hasOwn(index.countries, code);

// The parser walks data.holidays[CC]… (its own country, and other countries' days a country refers to
// with `_days`); every walk goes through here.
const holidays = new Proxy(
  {},
  {
    get: (_, code) => (known(code) ? country(code) : undefined),
    has: (_, code) => known(code),
    ownKeys: () => Object.keys(index.countries),
    getOwnPropertyDescriptor: (_, code) =>
      known(code)
        ? { value: country(code), writable: true, enumerable: true, configurable: true }
        : undefined,
  },
);

const data = { version: index.version, license: index.license, names: index.names, holidays };

export default class Holidays extends HolidaysParser {
  constructor(country, state, region, opts) {
    super(data, country, state, region, opts);
  }

  /** As the parser's (a country's name in `lang`, else in its first language), from the index alone. */
  getCountries(lang) {
    const out = {};
    for (const [code, { names, langs }] of Object.entries(index.countries)) {
      const first = Object.keys(names)[0];
      const l = lang || langs?.[0] || first;
      out[code] = names[l] || names[l.split("-")[0]] || names[first];
    }
    return out;
  }
}

export { Holidays };

/** The countries read so far (tests/build.test.ts checks that only those asked for are). */
export const loadedCountries = () => [...loaded.keys()];
