// The sandbox page's routes, served under /sandbox by the bot's own HTTP server: the page and its
// script and style, the fake Slack's state as the acting user sees it, live change events, and the
// things a visitor does (press a button, submit a modal, type a slash command, fire an alert),
// each turned into the request Slack or Alertmanager would send the bot, signed or with its token.

import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { OncallConfig } from "../src/core/config";
import { shiftAt } from "../src/core/rotation";
import type { RoutingState } from "../src/core/routing";
import type { ExtraRoute } from "../src/platform/http/server";
import type { Logger } from "../src/platform/log";
import type { SlashCommand, Subcommand } from "../src/platform/slack/commands";
import { AlertmanagerStandIn, type ExampleAlert, type FireInput, stormAlerts } from "./examples";
import type { FakeEphemeral, FakeMessage, FakeSlack, FakeView } from "./slack-api";
import {
  appHomeOpenedBody,
  blockActionsPayload,
  newTriggerId,
  postToSlackEndpoint,
  slashCommandBody,
  viewClosedBody,
  viewSubmissionBody,
} from "./slack-payloads";

const UI_DIR = join(dirname(fileURLToPath(import.meta.url)), "ui");
const JS = "text/javascript; charset=utf-8";
const HTML = "text/html; charset=utf-8";
const requireFromHere = createRequire(import.meta.url);
/** preact and htm as their packages ship them (ES modules, no build step), named in the page's import map. */
const VENDOR: Record<string, { pkg: string; file: string }> = {
  "/sandbox/vendor/preact.js": { pkg: "preact", file: "preact.module.js" },
  "/sandbox/vendor/preact-hooks.js": { pkg: "preact/hooks", file: "hooks.module.js" },
  "/sandbox/vendor/htm.js": { pkg: "htm", file: "htm.module.js" },
};
const STATIC: Record<string, { file: string; type: string }> = {
  "/sandbox": { file: join(UI_DIR, "index.html"), type: HTML },
  "/sandbox/": { file: join(UI_DIR, "index.html"), type: HTML },
  "/sandbox/app.js": { file: join(UI_DIR, "app.js"), type: JS },
  "/sandbox/blocks.js": { file: join(UI_DIR, "blocks.js"), type: JS },
  "/sandbox/app.css": { file: join(UI_DIR, "app.css"), type: "text/css; charset=utf-8" },
  ...Object.fromEntries(
    // The packages export their CommonJS builds; the ES module sits beside each.
    Object.entries(VENDOR).map(([path, { pkg, file }]) => [
      path,
      { file: join(dirname(requireFromHere.resolve(pkg)), file), type: JS },
    ]),
  ),
};

let emojiTable: Promise<string> | null = null;
/**
 * Slack's emoji shortcodes (iamcal's list, which Slack uses) as `{shortcode: character}`, from
 * emojibase-data's `{hexcode: shortcode | shortcodes}`.
 */
function emojiJson(): Promise<string> {
  emojiTable ??= readFile(requireFromHere.resolve("emojibase-data/en/shortcodes/iamcal.json"), "utf8").then(
    (text) => {
      const byHex = JSON.parse(text) as Record<string, string | string[]>;
      const out: Record<string, string> = {};
      for (const [hex, names] of Object.entries(byHex)) {
        const char = String.fromCodePoint(...hex.split("-").map((h) => Number.parseInt(h, 16)));
        for (const name of Array.isArray(names) ? names : [names]) out[name] ??= char;
      }
      return JSON.stringify(out);
    },
  );
  return emojiTable;
}
const COMMANDS: readonly SlashCommand[] = ["/oncall", "/incident"];
const BODY_LIMIT = 256 * 1024;
const HEARTBEAT_MS = 15_000;
/** Storm ×20 pages within Slack's limits for a while; ×200 outruns them, as a real outage does. */
const STORM_SIZES: readonly number[] = [20, 200];

/** The bot's clock in the sandbox: real time, optionally shifted so a visitor can try workday rules. */
export class SandboxClock {
  offsetMs = 0;
  /** Every shift, oldest first: a message keeps the bot's time it was posted at when the clock moves later. */
  private readonly shifts: { fromMs: number; offsetMs: number }[] = [];
  readonly now = (): Date => new Date(Date.now() + this.offsetMs);
  set(at: Date | null): void {
    this.offsetMs = at === null ? 0 : at.getTime() - Date.now();
    this.shifts.push({ fromMs: Date.now(), offsetMs: this.offsetMs });
  }
  /** The bot's time when the real clock read `realMs` (a Slack ts is real time). */
  at(realMs: number): Date {
    let offset = 0;
    for (const s of this.shifts) {
      if (s.fromMs > realMs) break;
      offset = s.offsetMs;
    }
    return new Date(realMs + offset);
  }
}

export interface SandboxUiDeps {
  readonly slack: FakeSlack;
  readonly config: OncallConfig;
  readonly clock: SandboxClock;
  readonly examples: readonly ExampleAlert[];
  readonly signingSecret: string;
  /** Delivers a /slack/events body another way (Socket Mode); unset: signed HTTP to botUrl. */
  readonly deliver?: (body: string, json: boolean) => Promise<{ status: number; body: string }>;
  readonly webhookToken: string;
  /** Where a visitor's own tools reach the bot, for the page's ready-to-paste curl. */
  readonly publicUrl: string;
  readonly log: Logger;
  /** The bot's base URL; known once its server listens. */
  readonly botUrl: () => string;
  /** The subcommands the running bot registered, for the composer's hints. */
  readonly subcommands: (command: SlashCommand) => readonly Subcommand[];
  /** Overrides and ejections, for "who is on call now". */
  readonly routingState: () => Promise<RoutingState>;
}

export interface SandboxUi {
  readonly route: ExtraRoute;
  /** Ends the live event streams, so the server can close without waiting for them. */
  closeStreams(): void;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Json = Record<string, unknown>;

export function createSandboxUi(deps: SandboxUiDeps): SandboxUi {
  const { slack, config } = deps;
  const alertmanager = new AlertmanagerStandIn(deps.clock.now);
  const streams = new Set<ServerResponse>();
  let version = 0;
  let pending: NodeJS.Timeout | null = null;

  const broadcast = () => {
    version++;
    for (const res of streams) res.write(`event: change\ndata: ${version}\n\n`);
  };
  // A burst of calls (a storm pages twenty times) becomes one refresh of the page.
  slack.on("change", () => {
    pending ??= setTimeout(() => {
      pending = null;
      broadcast();
    }, 40);
  });

  const humanIds = () =>
    new Set(
      slack
        .users()
        .filter((u) => u.id !== slack.botUserId)
        .map((u) => u.id),
    );
  const userName = (id: string) => slack.users().find((u) => u.id === id)?.name ?? id.toLowerCase();

  function actingUser(value: unknown): string {
    if (typeof value !== "string" || !humanIds().has(value)) {
      throw new HttpError(400, `unknown user ${JSON.stringify(value)}: pick one from "Act as"`);
    }
    return value;
  }

  async function postToBot(body: string, json = false) {
    try {
      if (deps.deliver) return await deps.deliver(body, json);
      return await postToSlackEndpoint(deps.botUrl(), body, { secret: deps.signingSecret, json });
    } catch (err) {
      throw new HttpError(502, `the bot did not answer: ${(err as Error).message}`);
    }
  }

  /** What Slack tells a user when an app does not acknowledge in time or refuses a request. */
  function botFailure(status: number, what: string): string | null {
    if (status >= 200 && status < 300) return null;
    if (status === 404)
      return `oncall-bot did not respond to ${what} within 3 seconds (nothing handles it yet?)`;
    return `oncall-bot answered ${what} with HTTP ${status}`;
  }

  // --- reading ------------------------------------------------------------------------------

  async function meta(): Promise<Json> {
    const users = slack.users().filter((u) => u.id !== slack.botUserId);
    return {
      bot: { id: slack.botUserId, name: userName(slack.botUserId) },
      users: users.map((u) => ({
        id: u.id,
        name: u.name,
        realName: u.realName ?? u.name,
        tz: u.tz ?? "UTC",
        teams: config.teams.filter((t) => t.members.includes(u.id)).map((t) => t.name),
        participantOf: config.rotations
          .filter((r) => r.participants.some((p) => p.user === u.id))
          .map((r) => r.name),
        adminOf: config.rotations.filter((r) => r.admins.includes(u.id)).map((r) => r.name),
      })),
      examples: deps.examples,
      commands: COMMANDS.map((command) => ({
        command,
        subcommands: deps.subcommands(command).map((s) => ({
          name: s.name,
          usage: `${command} ${s.usage}`,
          summary: s.summary,
          example: s.example,
        })),
      })),
      rotations: config.rotations.map((r) => ({ id: r.id, name: r.name, channel: r.channel })),
      channels: slack
        .conversations()
        .filter((c) => !c.dmMembers)
        .map((c) => ({ id: c.id, purpose: channelPurpose(config, c.id) })),
      webhook: {
        token: deps.webhookToken,
        curl: webhookCurl(deps.publicUrl, deps.webhookToken),
      },
      oncall: await oncallNow(deps.clock.now()),
    };
  }

  /** Who is on call in each rotation at the bot's time, overrides and ejections included. */
  async function oncallNow(now: Date): Promise<Json[]> {
    const routing = await deps
      .routingState()
      .catch(() => ({ overrides: [], ejectedTeams: new Set<string>() }));
    return config.rotations.map((r) => {
      const shift = shiftAt(r, now, { overrides: routing.overrides, ejectedTeams: routing.ejectedTeams });
      return {
        rotation: r.name,
        channel: r.channel,
        user: shift?.user ?? null,
        until: shift?.end.toISOString() ?? null,
      };
    });
  }

  async function state(as: string): Promise<Json> {
    const now = deps.clock.now();
    const oncall = await oncallNow(now);
    const mine = slack.ephemerals(undefined, as);
    const conversations = slack.conversations().map((c) => {
      const members = c.dmMembers;
      const kind = members ? "dm" : "channel";
      return {
        id: c.id,
        kind,
        name: members ? null : (c.name ?? c.id.toLowerCase()),
        members,
        mine: members ? members.includes(as) : true,
        messages: slack.messages(c.id).map(messageJson),
        ephemerals: mine.filter((e) => e.channel === c.id).map(ephemeralJson),
      };
    });
    const modals = slack.views().filter((v) => v.userId === as || v.userId === null);
    const home = slack.homeTabs(as);
    const homeChannel = slack.dmChannel(as);
    return {
      as,
      version,
      clock: { now: now.toISOString(), shifted: deps.clock.offsetMs !== 0 },
      oncall,
      conversations,
      modals: modals.map(viewJson),
      home: home ? viewJson(home) : null,
      // Commands typed on the Home page go out from the app's DM with the user, as from Slack's
      // Messages tab; their answers are shown on the Home page.
      homeChannel,
      homeEphemerals: mine.filter((e) => e.channel === homeChannel).map(ephemeralJson),
      slackLimits: slackLimitsJson(),
    };
  }

  /** How often the fake Slack answered 429, so a storm shows what Slack's limits do to the bot. */
  function slackLimitsJson(): Json {
    const byMethod = Object.entries(slack.rateLimitStats())
      .filter(([, s]) => s.limited > 0)
      .map(([method, s]) => ({ method, ...s }))
      .sort((a, b) => b.limited - a.limited);
    return {
      on: slack.rateLimits !== null,
      calls: slack.calls.filter((c) => c.method !== "response_url").length,
      limited: slack.rateLimited(),
      byMethod,
    };
  }

  // --- doing --------------------------------------------------------------------------------

  /** Finds the element a visitor pressed, on the surface as it reads now. */
  function locate(body: Json, as: string) {
    const where = body.surface as Json | undefined;
    let blocks: readonly unknown[] = [];
    let message: FakeMessage | undefined;
    let ephemeral: FakeEphemeral | undefined;
    let view: FakeView | undefined;
    if (where?.kind === "message") {
      message = slack.message(String(where.channel ?? ""), String(where.ts ?? ""));
      if (!message) throw new HttpError(404, "that message is gone");
      blocks = message.blocks ?? [];
    } else if (where?.kind === "ephemeral") {
      ephemeral = slack.ephemerals(undefined, as).find((e) => e.ts === where.ts);
      if (!ephemeral) throw new HttpError(404, "that ephemeral message is gone");
      blocks = ephemeral.blocks ?? [];
    } else if (where?.kind === "view") {
      view = [...slack.views(), slack.homeTabs(as)].find((v) => v?.id === where.viewId);
      if (!view) throw new HttpError(404, "that view is closed");
      blocks = Array.isArray(view.view.blocks) ? view.view.blocks : [];
    } else throw new HttpError(400, 'surface must be {kind: "message" | "ephemeral" | "view", …}');

    const blockIndex = Number(body.blockIndex);
    const block = blocks[blockIndex] as Json | undefined;
    const path = body.element;
    const element = (
      path === "accessory"
        ? block?.accessory
        : path === "element"
          ? block?.element
          : (block?.elements as unknown[] | undefined)?.[Number(path)]
    ) as Json | undefined;
    if (!block || !element || (body.actionId !== undefined && element.action_id !== body.actionId)) {
      throw new HttpError(409, "the message changed before the press arrived; try again");
    }
    const blockId = typeof block.block_id === "string" ? block.block_id : `sandbox-block-${blockIndex}`;
    return { message, ephemeral, view, block, blockId, element };
  }

  async function action(body: Json): Promise<Json> {
    const as = actingUser(body.as);
    const { message, ephemeral, view, blockId, element } = locate(body, as);
    const actionId = typeof element.action_id === "string" ? element.action_id : `sandbox-action`;
    const triggerId = newTriggerId();
    slack.registerTrigger(triggerId, as);
    const channel = message?.channel ?? ephemeral?.channel;
    const payload = blockActionsPayload({
      actionId,
      blockId,
      userId: as,
      userName: userName(as),
      triggerId,
      action: actionOf(element, actionId, blockId, body.selected),
      ...(view
        ? {
            view: {
              ...view.view,
              id: view.id,
              type: view.type,
              hash: view.hash,
              root_view_id: view.rootViewId,
            },
            stateValues: asObject(body.values),
          }
        : {
            channelId: channel,
            channelName: channelName(channel ?? ""),
            messageTs: message?.ts ?? ephemeral?.ts,
            ephemeral: ephemeral !== undefined,
            responseUrl: slack.responseUrl({ channel, user: as, messageTs: message?.ts ?? ephemeral?.ts }),
            ...(message
              ? {
                  message: {
                    type: "message",
                    user: message.user,
                    text: message.text,
                    blocks: message.blocks ?? [],
                    ...(message.botId ? { bot_id: message.botId } : {}),
                    ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
                  },
                }
              : {}),
          }),
    });
    const res = await postToBot(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
    return { status: res.status, notice: botFailure(res.status, `“${actionLabel(element, actionId)}”`) };
  }

  async function command(body: Json): Promise<Json> {
    const as = actingUser(body.as);
    const channel = body.channel === "home" ? slack.dmChannel(as) : String(body.channel ?? "");
    if (body.channel !== "home" && !slack.conversations().some((c) => c.id === channel))
      throw new HttpError(400, "pick a channel first");
    const typed = String(body.text ?? "").trim();
    const match = /^(\/\S+)\s*([\s\S]*)$/.exec(typed);
    if (!match?.[1]) throw new HttpError(400, "a slash command starts with /, e.g. /oncall who");
    const name = match[1];
    if (!(COMMANDS as readonly string[]).includes(name)) {
      return { status: 0, notice: `${name} is not a command of this app. Try ${COMMANDS.join(" or ")}.` };
    }
    const triggerId = newTriggerId();
    slack.registerTrigger(triggerId, as);
    const responseUrl = slack.responseUrl({ channel, user: as });
    const res = await postToBot(
      slashCommandBody({
        command: name,
        text: match[2] ?? "",
        userId: as,
        userName: userName(as),
        channelId: channel,
        channelName: channelName(channel),
        responseUrl,
        triggerId,
      }),
    );
    // Slack shows what the app put in its acknowledgement like a response_url message.
    const immediate = res.status === 200 ? ackMessage(res.body) : null;
    if (immediate) {
      await fetch(responseUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(immediate),
      });
    }
    return { status: res.status, notice: botFailure(res.status, name) };
  }

  async function viewSubmit(body: Json): Promise<Json> {
    const as = actingUser(body.as);
    const view = slack.views().find((v) => v.id === body.viewId);
    if (!view) throw new HttpError(404, "that modal is closed");
    const res = await postToBot(
      viewSubmissionBody({
        callbackId: typeof view.view.callback_id === "string" ? view.view.callback_id : "",
        userId: as,
        userName: userName(as),
        values: asObject(body.values) as Record<string, Record<string, Json>>,
        view: {
          ...view.view,
          id: view.id,
          hash: view.hash,
          root_view_id: view.rootViewId,
          previous_view_id: view.previousViewId,
        },
      }),
    );
    const failure = botFailure(res.status, "the form");
    if (failure) return { status: res.status, notice: failure, closed: false };
    const answer = parseJson(res.body);
    const responseAction = answer?.response_action;
    if (responseAction === "errors")
      return { status: res.status, errors: answer?.errors ?? {}, closed: false };
    if ((responseAction === "update" || responseAction === "push") && isObject(answer?.view)) {
      slack.applyViewResponse(view.id, { action: responseAction, view: answer.view });
      return { status: res.status, closed: false };
    }
    slack.closeView(view.id);
    return { status: res.status, closed: true };
  }

  async function viewClose(body: Json): Promise<Json> {
    const as = actingUser(body.as);
    const view = slack.views().find((v) => v.id === body.viewId);
    if (!view) return { closed: true };
    slack.closeView(view.id);
    if (view.view.notify_on_close === true) {
      const res = await postToBot(
        viewClosedBody({
          userId: as,
          userName: userName(as),
          view: { ...view.view, id: view.id, hash: view.hash },
        }),
      );
      return { closed: true, notice: botFailure(res.status, "closing the form") };
    }
    return { closed: true };
  }

  async function homeOpen(body: Json): Promise<Json> {
    const as = actingUser(body.as);
    const home = slack.homeTabs(as);
    const res = await postToBot(
      appHomeOpenedBody({
        userId: as,
        channelId: slack.dmChannel(as),
        ...(home ? { view: { ...home.view, id: home.id, hash: home.hash } } : {}),
      }),
      true,
    );
    return { status: res.status, notice: botFailure(res.status, "opening the Home tab") };
  }

  async function fireOne(input: FireInput): Promise<{ status: number; body: string }> {
    const res = await fetch(`${deps.botUrl()}/webhooks/alertmanager`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${deps.webhookToken}` },
      body: JSON.stringify(alertmanager.payload(input)),
    });
    return { status: res.status, body: await res.text() };
  }

  async function fire(body: Json): Promise<Json> {
    const status = body.status === "resolved" ? "resolved" : "firing";
    const labels = stringMap(body.labels, "labels");
    if (!labels.alertname) throw new HttpError(400, "labels need an alertname, e.g. alertname=HighErrorRate");
    const annotations = body.annotations === undefined ? {} : stringMap(body.annotations, "annotations");
    const res = await fireOne({ labels, annotations, status });
    const ok = res.status >= 200 && res.status < 300;
    return { status: res.status, notice: ok ? null : `the webhook answered ${res.status}: ${res.body}` };
  }

  async function storm(body: Json): Promise<Json> {
    const count = body.count === undefined ? 20 : Number(body.count);
    if (!STORM_SIZES.includes(count))
      throw new HttpError(400, `count must be one of ${STORM_SIZES.join(", ")}`);
    const results = await Promise.all(stormAlerts(deps.examples, count).map(fireOne));
    const failed = results.filter((r) => r.status < 200 || r.status >= 300);
    return {
      fired: results.length,
      notice: failed.length ? `${failed.length} of ${results.length} were refused: ${failed[0]?.body}` : null,
    };
  }

  function setClock(body: Json): Json {
    if (body.at === null || body.at === undefined || body.at === "") deps.clock.set(null);
    else {
      const at = new Date(String(body.at));
      if (Number.isNaN(at.getTime())) throw new HttpError(400, "at must be an ISO date and time");
      deps.clock.set(at);
    }
    broadcast();
    return { now: deps.clock.now().toISOString(), shifted: deps.clock.offsetMs !== 0 };
  }

  /** Runbooks and schedules, so the page's "Full runbook" links lead somewhere. */
  async function configFile(res: ServerResponse, path: string): Promise<void> {
    let rel: string;
    try {
      rel = decodeURIComponent(path.slice("/sandbox/files/".length));
    } catch {
      return sendText(res, 404, "no such file: the path has a broken %-escape");
    }
    const full = resolve(config.dir, rel);
    const inside = relative(config.dir, full);
    if (
      !/^(runbooks|schedules)[/\\]/.test(inside) ||
      inside.startsWith("..") ||
      inside.includes(`..${sep}`)
    ) {
      return sendText(res, 404, "only files under runbooks/ and schedules/ are shown here");
    }
    try {
      return sendText(res, 200, await readFile(full, "utf8"));
    } catch {
      return sendText(res, 404, `no such file: ${inside}`);
    }
  }

  function events(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
    });
    res.write(`retry: 1000\nevent: change\ndata: ${version}\n\n`);
    streams.add(res);
    const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), HEARTBEAT_MS);
    req.on("close", () => {
      clearInterval(heartbeat);
      streams.delete(res);
    });
  }

  const POSTS: Record<string, (body: Json) => Promise<Json> | Json> = {
    "/sandbox/api/action": action,
    "/sandbox/api/command": command,
    "/sandbox/api/view-submit": viewSubmit,
    "/sandbox/api/view-close": viewClose,
    "/sandbox/api/home-open": homeOpen,
    "/sandbox/api/fire": fire,
    "/sandbox/api/storm": storm,
    "/sandbox/api/clock": setClock,
  };

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname;
    try {
      if (req.method === "GET" || req.method === "HEAD") {
        const file = STATIC[path];
        if (file) return sendText(res, 200, await readFile(file.file, "utf8"), file.type);
        if (path === "/sandbox/emoji.json")
          return sendText(res, 200, await emojiJson(), "application/json; charset=utf-8");
        if (path === "/sandbox/api/meta") return sendJson(res, 200, await meta());
        if (path === "/sandbox/api/state")
          return sendJson(res, 200, await state(actingUser(url.searchParams.get("as"))));
        if (path === "/sandbox/api/events") return events(req, res);
        if (path.startsWith("/sandbox/files/")) return configFile(res, path);
      }
      const post = POSTS[path];
      if (post) {
        if (req.method !== "POST") throw new HttpError(405, "use POST");
        return sendJson(res, 200, await post(await readJson(req)));
      }
      req.resume();
      sendJson(res, 404, { error: `no sandbox route for ${req.method} ${path}` });
    } catch (err) {
      if (err instanceof HttpError) return sendJson(res, err.status, { error: err.message });
      deps.log.error({ err, path }, "sandbox request failed");
      sendJson(res, 500, { error: (err as Error).message });
    }
  }

  function channelName(id: string): string {
    return slack.conversations().find((c) => c.id === id)?.name ?? id.toLowerCase();
  }

  // A Slack ts is the real time of posting; the page shows the bot's time then, which a later
  // shift of the clock does not move.
  const botTime = (ts: string) => deps.clock.at(Number(ts) * 1000).toISOString();

  function messageJson(m: FakeMessage): Json {
    return {
      ts: m.ts,
      at: botTime(m.ts),
      user: m.user,
      bot: m.botId !== null,
      text: m.text,
      blocks: m.blocks,
      attachments: m.attachments,
      edited: m.edited !== null,
      broadcast: m.broadcast,
      threadTs: m.threadTs,
      reactions: m.reactions,
      replies: m.replies.map(messageJson),
    };
  }

  function ephemeralJson(e: FakeEphemeral): Json {
    return { ts: e.ts, at: botTime(e.ts), text: e.text, blocks: e.blocks, threadTs: e.threadTs };
  }

  return {
    route: { prefix: "/sandbox", handle },
    closeStreams() {
      if (pending) clearTimeout(pending);
      pending = null;
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}

// --- JSON shapes for the page -----------------------------------------------------------------

/** What a channel is for, from the config: a rotation's pages, a team's hand-offs, the review. */
function channelPurpose(config: OncallConfig, id: string): string {
  const rotation = config.rotations.find((r) => r.channel === id);
  if (rotation) return `Pages of the rotation “${rotation.name}”`;
  if (config.review?.channel === id) return "Postmortems to review and the weekly review";
  const team = config.teams.find((t) => t.channel === id);
  if (team) return `Hand-offs, escalations and pages for ${team.name}`;
  return "A channel the config does not name";
}

/** A generic-webhook alert a visitor can paste into a shell to see a page arrive. */
export function webhookCurl(baseUrl: string, token: string): string {
  const alert = {
    name: "HighErrorRate",
    status: "firing",
    labels: { job: "stream-api", instance: "api-1" },
    annotations: { summary: "5xx above 5%" },
  };
  return [
    `curl -X POST ${baseUrl}/webhooks/generic \\`,
    `  -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' \\`,
    `  -d '${JSON.stringify(alert)}'`,
  ].join("\n");
}

function viewJson(v: FakeView): Json {
  return { id: v.id, type: v.type, hash: v.hash, rootViewId: v.rootViewId, view: v.view };
}

// --- helpers -----------------------------------------------------------------------------------

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function asObject(v: unknown): Json {
  return isObject(v) ? v : {};
}

function parseJson(text: string): Json | null {
  try {
    const v: unknown = JSON.parse(text);
    return isObject(v) ? v : null;
  } catch {
    return null;
  }
}

/** An acknowledgement body with something to show: JSON with text or blocks, or plain text. */
function ackMessage(body: string): Json | null {
  if (body.trim() === "") return null;
  const json = parseJson(body);
  if (json) return typeof json.text === "string" || Array.isArray(json.blocks) ? json : null;
  return { text: body };
}

function stringMap(v: unknown, what: string): Record<string, string> {
  if (!isObject(v)) throw new HttpError(400, `${what} must be an object of strings`);
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(v)) {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k))
      throw new HttpError(400, `${what}: "${k}" is not a valid label name`);
    out[k] = String(value);
  }
  return out;
}

function textOf(t: unknown): string {
  return isObject(t) && typeof t.text === "string" ? t.text : "";
}

function actionLabel(element: Json, actionId: string): string {
  return textOf(element.text) || textOf(element.placeholder) || actionId;
}

function optionsOf(element: Json): Json[] {
  const flat = Array.isArray(element.options) ? (element.options as Json[]) : [];
  const groups = Array.isArray(element.option_groups) ? (element.option_groups as Json[]) : [];
  return [...flat, ...groups.flatMap((g) => (Array.isArray(g.options) ? (g.options as Json[]) : []))];
}

/** The element as Slack reports it in `actions[0]`, with what the visitor selected. */
function actionOf(element: Json, actionId: string, blockId: string, selected: unknown): Json {
  const type = String(element.type ?? "button");
  const base: Json = { type, action_id: actionId, block_id: blockId };
  const values = Array.isArray(selected) ? selected.map(String) : selected == null ? [] : [String(selected)];
  const pick = (value: string) => optionsOf(element).find((o) => o.value === value) ?? null;
  switch (type) {
    case "button":
      return {
        ...base,
        text: element.text ?? { type: "plain_text", text: actionId },
        ...(element.value === undefined ? {} : { value: element.value }),
        ...(element.style === undefined ? {} : { style: element.style }),
      };
    case "static_select":
    case "overflow":
    case "radio_buttons":
      return { ...base, selected_option: values[0] === undefined ? null : pick(values[0]) };
    case "multi_static_select":
    case "checkboxes":
      return { ...base, selected_options: values.map(pick).filter((o) => o !== null) };
    case "users_select":
      return { ...base, selected_user: values[0] ?? null };
    case "multi_users_select":
      return { ...base, selected_users: values };
    case "conversations_select":
      return { ...base, selected_conversation: values[0] ?? null };
    case "channels_select":
      return { ...base, selected_channel: values[0] ?? null };
    case "datepicker":
      return { ...base, selected_date: values[0] ?? null };
    case "timepicker":
      return { ...base, selected_time: values[0] ?? null };
    default:
      return { ...base, value: values[0] ?? null };
  }
}

async function readJson(req: IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) throw new HttpError(413, "request too large");
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return {};
  const json = parseJson(text);
  if (!json) throw new HttpError(400, "send a JSON object");
  return json;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  type = "text/plain; charset=utf-8",
): void {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(text);
}
