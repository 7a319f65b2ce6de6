// The on-call user group: per rotation (`usergroup:` or `usergroup_handle:` in its YAML), a Slack
// user group whose only member is whoever is on call, so anyone can write @oncall-… anywhere.
// sync.ts says how it stays up to date.

import { onScheduledJob } from "../../platform/queue/schedule";
import type { Feature, Runtime } from "../../runtime";
import type { RotationStateChange } from "../rotation/store";
import { rotationsOfTeam } from "./rules";
import { processDue, requestSync, USERGROUP_DUE_JOB, usergroupWorker } from "./sync";

function rotationsChangedBy(rt: Runtime, change: RotationStateChange): string[] {
  if ("override" in change) {
    const rotation = rt.config.rotations.find((r) => r.id === change.override.rotationId);
    return rotation?.usergroup ? [rotation.id] : [];
  }
  return rotationsOfTeam(rt.config.rotations, change.teamId).map((r) => r.id);
}

export const usergroupsFeature: Feature = {
  name: "usergroups",
  setup(rt) {
    const withGroup = rt.config.rotations.filter((r) => r.usergroup);
    onScheduledJob(rt, USERGROUP_DUE_JOB, (job, run) => processDue(rt, job, run));
    rt.rotationState.onChange(async (change) => {
      for (const rotationId of rotationsChangedBy(rt, change)) {
        try {
          await requestSync(rt, rotationId);
        } catch (err) {
          // The change is stored; the next due look or start-up brings the group along.
          rt.log.warn(
            { err, rotation: rotationId, change: change.kind },
            "could not ask for a user group sync",
          );
        }
      }
    });
    return {
      workers: () => [usergroupWorker(rt)],
      // Every start looks at every group: a hand-off missed while the bot was down is repaired here.
      start: async () => {
        for (const rotation of withGroup) await requestSync(rt, rotation.id);
      },
    };
  },
};
