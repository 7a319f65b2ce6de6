// Starts tests/support/bot-process.ts as a process of its own against a harness's fake Slack and
// Redis, for tests that kill the bot with SIGKILL mid-work and start it again.

import { type ChildProcess, spawn } from "node:child_process";
import { type Harness, redisEnv, SIGNING_SECRET, WEBHOOK_TOKEN } from "./harness";

export interface BotProcess {
  readonly proc: ChildProcess;
  /** Where the process serves (webhooks, Slack's endpoint). */
  readonly url: string;
  /** kill -9, and waits until the process is gone. */
  kill(): Promise<void>;
}

/** Spawns the bot on `h`'s Slack, Redis and prefix; its clock is the ISO time in `clockFile`. */
export async function spawnBot(
  h: Harness,
  clockFile: string,
  env: Readonly<Record<string, string>> = {},
): Promise<BotProcess> {
  const proc = spawn(process.execPath, ["--import", "tsx", "tests/support/bot-process.ts"], {
    env: {
      ...process.env,
      SLACK_BOT_TOKEN: "xoxb-test",
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: h.slack.url,
      ...redisEnv(h),
      REDIS_PREFIX: h.prefix,
      PORT: "0",
      ONCALL_CONFIG_DIR: h.settings.configDir,
      ALERT_WEBHOOK_TOKEN: WEBHOOK_TOKEN,
      LOG_LEVEL: "silent",
      ONCALL_TEST_CLOCK_FILE: clockFile,
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    proc.once("exit", (code) => reject(new Error(`bot process exited with ${code}`)));
  });
  return {
    proc,
    url,
    async kill() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const gone = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGKILL");
      await gone;
    },
  };
}
