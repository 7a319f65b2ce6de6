export * from "../../src/sandbox/slack-api";
