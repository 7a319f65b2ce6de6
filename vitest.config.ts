import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    projects: [
      { extends: true, test: { name: "main", include: ["tests/**/*.test.ts"] } },
      {
        extends: true,
        test: {
          // The same end-to-end cases of buttons and commands again, with Slack's requests
          // delivered over Socket Mode instead of signed HTTP (see tests/support/harness.ts).
          name: "socket-mode",
          include: ["tests/e2e/buttons.test.ts", "tests/e2e/commands.test.ts"],
          env: { E2E_SLACK_TRANSPORT: "socket" },
        },
      },
    ],
  },
});
