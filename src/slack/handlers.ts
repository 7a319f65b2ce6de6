// Bolt wiring: which command, action and view goes where.

import type { App } from "@slack/bolt";
import type { OncallConfig } from "../config/types";
import type { Logger } from "../log";
import type { AlertStore } from "../store/alerts";
import type { RotationStateStore } from "../store/rotation-state";
import type { SlackApi } from "./api";
import type { PageContext } from "./blocks/page";

export interface SlackHandlerDeps {
  readonly config: OncallConfig;
  readonly alerts: AlertStore;
  readonly rotationState: RotationStateStore;
  readonly slack: SlackApi;
  readonly log: Logger;
  readonly now: () => Date;
  readonly page: PageContext;
}

export const ONCALL_HELP = [
  "*/oncall* — the merged on-call rotation",
  "`/oncall who [rotation]` — who is on call now, and until when",
  "`/oncall help` — this help",
].join("\n");

export function registerSlackHandlers(app: App, _deps: SlackHandlerDeps): void {
  app.command("/oncall", async ({ ack }) => {
    await ack({ response_type: "ephemeral", text: ONCALL_HELP });
  });
}
