// A rotation's on-call user group in its YAML: `usergroup:` (an existing group's id) or
// `usergroup_handle:` (one the bot creates); mistakes name the file and the field.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { configDir, issuesOf, load, MINIMAL, removeConfigDirs } from "../../config/helpers";

afterEach(removeConfigDirs);

const ROTATION = "schedules/rotations/main.yaml";
const withLines = (yaml: string) => configDir({ [ROTATION]: (text) => `${text}${yaml}` });
const at = (yaml: string) => issuesOf(withLines(yaml)).map((i) => `${i.file} ${i.field}: ${i.message}`);

describe("a rotation's user group", () => {
  it("reads an id or a handle, and is absent when neither is set", () => {
    expect(load(withLines("usergroup: S0ONCALL\n")).rotations[0]?.usergroup).toEqual({
      kind: "id",
      id: "S0ONCALL",
    });
    expect(load(withLines("usergroup_handle: oncall-main\n")).rotations[0]?.usergroup).toEqual({
      kind: "handle",
      handle: "oncall-main",
    });
    expect(load(configDir()).rotations[0]).not.toHaveProperty("usergroup");
  });

  it("refuses a name where the id goes, an @ in the handle, and both at once", () => {
    expect(at("usergroup: oncall\n")).toEqual([
      `${ROTATION} usergroup: is not a Slack user group id; use the group's id (S…, upper-case letters and digits), or name a handle with usergroup_handle`,
    ]);
    expect(at("usergroup_handle: '@oncall'\n")[0]).toContain(
      `${ROTATION} usergroup_handle: is not a user group handle`,
    );
    expect(at("usergroup: S0ONCALL\nusergroup_handle: oncall\n")).toEqual([
      `${ROTATION} usergroup_handle: name either usergroup (an existing group's id) or usergroup_handle, not both`,
    ]);
  });

  it("refuses one group for two rotations", () => {
    const main = readFileSync(join(MINIMAL, ROTATION), "utf8");
    const dir = configDir({
      [ROTATION]: `${main}usergroup_handle: oncall\n`,
      "schedules/rotations/second.yaml": `${main.replace("id: main", "id: second")}usergroup_handle: oncall\n`,
    });
    expect(issuesOf(dir).map((i) => `${i.file} ${i.field}: ${i.message}`)).toEqual([
      `schedules/rotations/second.yaml usergroup_handle: user group "oncall" is already the on-call group of ${ROTATION}; give each rotation its own`,
    ]);
  });
});
