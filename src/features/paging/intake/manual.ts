// A manual alert, typed in Slack (`/oncall page <rotation|team> <text>`): an alert group like any
// webhook's, so it is stored, routed, paged and timed the same way. It names its target instead of
// carrying labels that identify a service, so it brings its own route.

import { randomUUID } from "node:crypto";
import type { AlertRoute } from "../../../core/alert";
import type { OncallConfig } from "../../../core/config";
import { oncallNow, type RoutingState, rotationOfTeam } from "../../../core/routing";
import { singleInstanceGroup } from "./group";
import type { IncomingGroup } from "./types";

/** The alertname of every manual alert (stored alerts and the noise report know them by it). */
export const MANUAL_ALERT_NAME = "ManualPage";

import type { ManualTarget } from "../rules";

export type { ManualTarget };

/** A rotation or team by id or name, case-insensitively; rotations first when both match. */
export function findManualTarget(config: OncallConfig, word: string): ManualTarget | null {
  const w = word.toLowerCase();
  const rotation = config.rotations.find((r) => r.id.toLowerCase() === w || r.name.toLowerCase() === w);
  if (rotation) return { kind: "rotation", rotation };
  const team = config.teams.find((t) => t.id.toLowerCase() === w || t.name.toLowerCase() === w);
  return team ? { kind: "team", team } : null;
}

/**
 * Where a manual alert goes: a rotation's channel and engineer on call; for a team, its rotation's
 * (the team is the owner, so hand-off and escalation go to it), or the team's own channel and
 * members while it is ejected or in no rotation.
 */
export function manualRoute(
  config: OncallConfig,
  target: ManualTarget,
  now: Date,
  state: RoutingState,
): AlertRoute {
  if (target.kind === "rotation") {
    const shift = oncallNow(target.rotation, now, state);
    return {
      rotationId: target.rotation.id,
      serviceId: null,
      teamId: null,
      unrouted: false,
      ejected: false,
      channel: target.rotation.channel,
      oncallUser: shift?.user ?? null,
    };
  }
  const team = target.team;
  const rotation = rotationOfTeam(config, team.id);
  if (!rotation || state.ejectedTeams.has(team.id)) {
    return {
      rotationId: rotation?.id ?? config.fallbackRotation,
      serviceId: null,
      teamId: team.id,
      unrouted: false,
      ejected: true,
      channel: team.channel,
      oncallUser: null,
    };
  }
  const shift = oncallNow(rotation, now, state);
  return {
    rotationId: rotation.id,
    serviceId: null,
    teamId: team.id,
    unrouted: false,
    ejected: false,
    channel: rotation.channel,
    oncallUser: shift?.user ?? null,
  };
}

/** A new group for every manual alert: two with the same words are still two alerts. */
export function manualGroup(input: {
  readonly target: ManualTarget;
  readonly text: string;
  readonly by: string;
  readonly now: Date;
}): IncomingGroup {
  const targetId = input.target.kind === "rotation" ? input.target.rotation.id : input.target.team.id;
  const labels: Record<string, string> = {
    alertname: MANUAL_ALERT_NAME,
    severity: "page",
    paged_by: input.by,
    // The page lists instances by this label; here it says where the alert came from.
    instance: `/oncall page by <@${input.by}>`,
    ...(input.target.kind === "team" ? { team: targetId } : { rotation: targetId }),
  };
  const annotations = { summary: input.text, description: `Paged by hand from Slack by <@${input.by}>` };
  return singleInstanceGroup({
    source: "manual",
    groupKey: `manual:${randomUUID()}`,
    status: "firing",
    groupLabels: {},
    labels,
    annotations,
    at: input.now,
  });
}
