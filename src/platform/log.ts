import { type Logger, pino } from "pino";

export type { Logger };

/** Structured logs; anything that looks like a credential is redacted before it is written. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { app: "shared-oncall" },
      redact: {
        paths: [
          "token",
          "*.token",
          "authorization",
          "*.authorization",
          "headers.authorization",
          "*.headers.authorization",
          "settings.slackBotToken",
          "settings.slackSigningSecret",
          "settings.slackAppToken",
          "settings.alertWebhookToken",
          "settings.opsgenieKeys[*].key",
          "settings.alertmanager.authorization",
        ],
        censor: "[redacted]",
      },
    },
    destination ?? pino.destination(1),
  );
}
