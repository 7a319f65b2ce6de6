// What Slack sends to the bot, built and signed like the real thing. One implementation lives in
// sandbox/slack-payloads.ts (the sandbox page sends the same requests); tests import it here.

export * from "../../sandbox/slack-payloads";
