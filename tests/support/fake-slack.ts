export * from "../../sandbox/slack-api";
