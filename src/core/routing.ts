// Labels -> service -> owning team -> that team's rotation (or the team itself when ejected) ->
// the engineer on call now.

import type { AlertRoute } from "./alert";
import type { OncallConfig, Rotation, Service, Team } from "./config";
import { type Override, type Shift, shiftAt } from "./rotation";

export interface RoutingState {
  readonly overrides: readonly Override[];
  readonly ejectedTeams: ReadonlySet<string>;
}

/** The service whose matchers all hold; the most specific (most matchers) wins, then file order. */
export function matchService(
  services: readonly Service[],
  labels: Readonly<Record<string, string>>,
): Service | null {
  let best: Service | null = null;
  for (const s of services) {
    const keys = Object.keys(s.match);
    if (keys.length === 0) continue;
    if (!keys.every((k) => labels[k] === s.match[k])) continue;
    if (!best || keys.length > Object.keys(best.match).length) best = s;
  }
  return best;
}

export function findTeam(config: OncallConfig, id: string): Team | undefined {
  return config.teams.find((t) => t.id === id);
}

export function findRotation(config: OncallConfig, id: string): Rotation | undefined {
  return config.rotations.find((r) => r.id === id);
}

/** The rotation a team's alerts page; a team in several rotations uses the first in config order. */
export function rotationOfTeam(config: OncallConfig, teamId: string): Rotation | undefined {
  return config.rotations.find((r) => r.teams.includes(teamId));
}

export function oncallNow(rotation: Rotation, now: Date, state: RoutingState): Shift | null {
  return shiftAt(rotation, now, { overrides: state.overrides, ejectedTeams: state.ejectedTeams });
}

export function routeAlert(
  config: OncallConfig,
  labels: Readonly<Record<string, string>>,
  now: Date,
  state: RoutingState,
): AlertRoute {
  const service = matchService(config.services, labels);
  const team = service ? findTeam(config, service.team) : undefined;
  const rotation = team ? rotationOfTeam(config, team.id) : undefined;
  if (service && team && (state.ejectedTeams.has(team.id) || !rotation)) {
    // An ejected team (or one in no rotation) carries its own pages: its channel, its members.
    return {
      rotationId: rotation?.id ?? config.fallbackRotation,
      serviceId: service.id,
      teamId: team.id,
      unrouted: false,
      ejected: true,
      channel: team.channel,
      // Nobody in particular: the page mentions every member of the team.
      oncallUser: null,
    };
  }
  const target = rotation ?? findRotation(config, config.fallbackRotation);
  if (!target) throw new Error(`fallback rotation "${config.fallbackRotation}" is not configured`);
  const shift = oncallNow(target, now, state);
  return {
    rotationId: target.id,
    serviceId: service?.id ?? null,
    teamId: team?.id ?? null,
    unrouted: !service,
    ejected: false,
    channel: target.channel,
    oncallUser: shift?.user ?? null,
  };
}
