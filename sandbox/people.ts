// The sandbox's workspace, taken from the loaded config: every team member, rotation participant
// and admin becomes a user with a friendly name (config holds only Slack ids), and every channel
// the config names (teams, rotations, the review) exists with a readable name.

import type { OncallConfig } from "../src/core/config";
import type { FakeChannel, FakeUser } from "./slack-api";

const FIRST_NAMES = [
  "Alice",
  "Ben",
  "Chloé",
  "Dev",
  "Emma",
  "Finn",
  "Grace",
  "Hugo",
  "Ines",
  "Jonas",
  "Kira",
  "Leo",
  "Maya",
  "Noah",
  "Olga",
  "Priya",
  "Quinn",
  "Rosa",
  "Sam",
  "Tara",
  "Umar",
  "Vera",
  "Will",
  "Xia",
  "Yusuf",
  "Zoe",
];

export interface Workspace {
  readonly users: FakeUser[];
  readonly channels: FakeChannel[];
}

/** Users in config order (teams, then participants, then admins); names are stable for a config. */
export function workspaceFromConfig(config: OncallConfig): Workspace {
  const zoneOf = new Map<string, string>();
  for (const t of config.teams) for (const m of t.members) if (!zoneOf.has(m)) zoneOf.set(m, t.timezone);
  for (const r of config.rotations) {
    for (const id of [...r.participants.map((p) => p.user), ...r.admins]) {
      if (!zoneOf.has(id)) zoneOf.set(id, r.timezone);
    }
  }
  const taken = new Set<string>();
  const users = [...zoneOf].map(([id, tz], i): FakeUser => {
    const base = FIRST_NAMES[i % FIRST_NAMES.length] ?? "User";
    const round = Math.floor(i / FIRST_NAMES.length);
    let realName = round === 0 ? base : `${base} ${round + 1}`;
    while (taken.has(realName)) realName = `${realName}'`;
    taken.add(realName);
    const name = realName
      .normalize("NFD")
      .replace(/[^\w ]/g, "")
      .toLowerCase()
      .replace(/ /g, "");
    return { id, name, realName, tz };
  });

  const channels = new Map<string, FakeChannel>();
  const add = (id: string, name: string) => {
    if (!channels.has(id)) channels.set(id, { id, name });
  };
  for (const r of config.rotations)
    add(r.channel, config.rotations.length === 1 ? "oncall" : `oncall-${r.id}`);
  for (const t of config.teams) add(t.channel, `team-${t.id}`);
  if (config.review) add(config.review.channel, "postmortem-review");
  return { users, channels: [...channels.values()] };
}

/**
 * Someone an alert of `owningTeam` in the first rotation refuses: not in the rotation, not one of
 * its admins, not in the owning team. The page's refusal needs such a person to show.
 */
export function outsiderOf(config: OncallConfig, owningTeam: string): string {
  const rotation = config.rotations[0];
  const owners = config.teams.find((t) => t.id === owningTeam);
  const found = config.teams
    .flatMap((t) => t.members)
    .find(
      (u) =>
        !rotation?.participants.some((p) => p.user === u) &&
        !rotation?.admins.includes(u) &&
        !owners?.members.includes(u),
    );
  if (!found) throw new Error(`the config has nobody who may not act on a ${owningTeam} alert`);
  return found;
}
