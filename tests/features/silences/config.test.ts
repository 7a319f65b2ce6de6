// Where the Silence button's Alertmanager comes from: a rotation's `alertmanager:` (checked with the
// rest of the config, naming file and field) and ALERTMANAGER_URL with its credentials.

import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { readSettings } from "../../../src/config/env";
import { createLogger } from "../../../src/platform/log";
import { configDir, issuesOf, load, removeConfigDirs } from "../../config/helpers";

afterEach(removeConfigDirs);

const ROTATION = "schedules/rotations/main.yaml";
const withAlertmanager = (yaml: string) =>
  configDir({ [ROTATION]: (text) => `${text}alertmanager:\n${yaml}` });

describe("a rotation's alertmanager:", () => {
  it("reads the URL and the variable holding the secret, never a secret itself", () => {
    const bearer = load(withAlertmanager("  url: https://am.example:9093/\n  bearer_token_env: AM_TOKEN\n"));
    expect(bearer.rotations[0]?.alertmanager).toEqual({
      url: "https://am.example:9093",
      auth: { kind: "bearer", tokenEnv: "AM_TOKEN" },
    });
    const basic = load(
      withAlertmanager("  url: http://am:9093\n  basic_auth: { username: oncall, password_env: AM_PW }\n"),
    );
    expect(basic.rotations[0]?.alertmanager?.auth).toEqual({
      kind: "basic",
      username: "oncall",
      passwordEnv: "AM_PW",
    });
    expect(load(configDir()).rotations[0]).not.toHaveProperty("alertmanager");
  });

  it("refuses credentials in the URL, both ways of signing in, and a secret where a variable name goes", () => {
    const at = (yaml: string) =>
      issuesOf(withAlertmanager(yaml)).map((i) => `${i.file} ${i.field}: ${i.message}`);
    expect(at("  url: https://bot:pw@am.example\n")).toEqual([
      `${ROTATION} alertmanager.url: is not an http(s) URL without credentials, e.g. https://alertmanager.example:9093`,
    ]);
    expect(
      at("  url: http://am\n  bearer_token_env: A\n  basic_auth: { username: u, password_env: B }\n"),
    ).toEqual([`${ROTATION} alertmanager.basic_auth: name either bearer_token_env or basic_auth, not both`]);
    expect(at("  url: http://am\n  bearer_token_env: s3cr3t-t0ken\n")[0]).toContain(
      "alertmanager.bearer_token_env: is not an environment variable name",
    );
    expect(at("  url: http://am\n  token: x\n")[0]).toContain('alertmanager.token: unknown field "token"');
  });
});

describe("ALERTMANAGER_URL and its credentials", () => {
  const BASE = { SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s", ALERT_WEBHOOK_TOKEN: "0".repeat(20) };

  it("is off without ALERTMANAGER_URL, and signs in with a bearer token or basic auth", () => {
    expect(readSettings(BASE).alertmanager).toBeNull();
    expect(readSettings({ ...BASE, ALERTMANAGER_URL: "http://am:9093/" }).alertmanager).toEqual({
      url: "http://am:9093",
      authorization: null,
    });
    expect(
      readSettings({ ...BASE, ALERTMANAGER_URL: "http://am:9093", ALERTMANAGER_BEARER_TOKEN: "t0k" })
        .alertmanager,
    ).toEqual({ url: "http://am:9093", authorization: "Bearer t0k" });
    const basic = { ALERTMANAGER_USERNAME: "oncall", ALERTMANAGER_PASSWORD: "pw" };
    expect(
      readSettings({ ...BASE, ALERTMANAGER_URL: "http://am:9093", ...basic }).alertmanager?.authorization,
    ).toBe(`Basic ${Buffer.from("oncall:pw").toString("base64")}`);
  });

  it("refuses half a setting, naming the variables and never their values", () => {
    const refusal = (env: Record<string, string>) => {
      try {
        readSettings({ ...BASE, ...env });
      } catch (err) {
        return (err as Error).message;
      }
      return "started";
    };
    expect(refusal({ ALERTMANAGER_BEARER_TOKEN: "t0k-VALUE1" })).toContain("ALERTMANAGER_URL is required");
    expect(refusal({ ALERTMANAGER_URL: "http://u:p@am" })).toContain(
      "ALERTMANAGER_URL must be an http(s) URL",
    );
    const both = refusal({
      ALERTMANAGER_URL: "http://am",
      ALERTMANAGER_BEARER_TOKEN: "t0k-VALUE1",
      ALERTMANAGER_USERNAME: "u",
      ALERTMANAGER_PASSWORD: "pw-VALUE2",
    });
    expect(both).toContain("set one way of signing in, not both");
    expect(both).not.toMatch(/VALUE1|VALUE2/);
    expect(refusal({ ALERTMANAGER_URL: "http://am", ALERTMANAGER_USERNAME: "u" })).toContain("go together");
  });
});

describe("Alertmanager credentials in the logs", () => {
  it("are redacted wherever a settings object or a target is logged", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger("info", sink);
    const settings = readSettings({
      SLACK_BOT_TOKEN: "xoxb-1",
      SLACK_SIGNING_SECRET: "s",
      ALERT_WEBHOOK_TOKEN: "0".repeat(20),
      ALERTMANAGER_URL: "http://am:9093",
      ALERTMANAGER_BEARER_TOKEN: "am-token-VALUE3",
    });
    log.info({ settings }, "settings");
    log.info({ target: settings.alertmanager }, "target");
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).not.toContain("VALUE3");
      expect(line).toContain("[redacted]");
    }
  });
});
