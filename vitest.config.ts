import { defineConfig } from "vitest/config";

/**
 * What runs again on a three-primary Redis Cluster: tests/e2e/redis-cluster.test.ts starts one and
 * runs this project with ONCALL_TEST_REDIS_CLUSTER set, which points the harness at it. Left out:
 * suites that start a redis-server of their own or need a plain one (hangs, WAIT, start-up).
 */
export const REDIS_CLUSTER_SUITE = [
  "tests/platform/redis/scripts.test.ts",
  "tests/platform/redis/lock.test.ts",
  "tests/features/paging/alert-store.test.ts",
  "tests/features/paging/bounded-state.test.ts",
  "tests/features/heartbeats/store.test.ts",
  "tests/features/rotation/store.test.ts",
  "tests/e2e/pipeline.test.ts",
  "tests/e2e/buttons.test.ts",
  "tests/e2e/escalation.test.ts",
  "tests/e2e/timers.test.ts",
  "tests/e2e/remediation.test.ts",
  "tests/e2e/slack-reconcile.test.ts",
  "tests/e2e/shift-change.test.ts",
  "tests/e2e/review.test.ts",
  "tests/e2e/heartbeats.test.ts",
  "tests/e2e/incidents.test.ts",
  "tests/e2e/load-eject.test.ts",
  "tests/e2e/silences.test.ts",
  "tests/e2e/bounded-state.test.ts",
  "tests/e2e/commands.test.ts",
];

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
      ...(process.env.ONCALL_TEST_REDIS_CLUSTER
        ? [{ extends: true as const, test: { name: "redis-cluster", include: REDIS_CLUSTER_SUITE } }]
        : []),
    ],
  },
});
