// GET /calendar/<rotation>.ics: the rotation's shifts (overrides and ejections included) as an
// iCalendar feed to subscribe to. `?user=U…` keeps only that person's shifts; `?weeks=` (ahead,
// default 26) and `?past=` (weeks back, default 4) set the range.
// The feed names people and says who is on call when, so it is a "secret address" as calendar
// providers have: `?token=` must carry HMAC(CALENDAR_SECRET, rotation id), which `/oncall schedule`
// shows to the rotation's members. Without it (or with a wrong one) the answer is a 404 that names
// nothing, so the listener does not even confirm which rotations exist.

import { createHmac } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { shiftsBetween } from "../../core/rotation";
import { DAY_MS } from "../../core/tz";
import { secretMatches } from "../../platform/http/auth";
import { sendJson, sendText } from "../../platform/http/respond";
import type { ExtraRoute } from "../../platform/http/server";
import type { Feature, Runtime } from "../../runtime";
import { teamName } from "./blocks";
import { shiftsCalendar } from "./ical";

export const CALENDAR_PREFIX = "/calendar/";
const DEFAULT_WEEKS_AHEAD = 26;
const MAX_WEEKS_AHEAD = 104;
const DEFAULT_WEEKS_BACK = 4;
const MAX_WEEKS_BACK = 26;
/** Names come from Slack; a slow Slack must not hold a calendar app's refresh for long. */
const NAME_LOOKUP_MS = 2_000;
const NAME_TTL_MS = 60 * 60_000;

const names = new Map<string, { name: string; at: number }>();

async function lookUpName(rt: Runtime, userId: string): Promise<string> {
  const hit = names.get(userId);
  if (hit && Date.now() - hit.at < NAME_TTL_MS) return hit.name;
  try {
    const res = await rt.slack.call<{
      user?: { name?: string; real_name?: string; profile?: { display_name?: string; real_name?: string } };
    }>("users.info", { user: userId });
    const u = res.user;
    const name = u?.profile?.display_name || u?.real_name || u?.profile?.real_name || u?.name || userId;
    names.set(userId, { name, at: Date.now() });
    return name;
  } catch {
    return hit?.name ?? userId;
  }
}

async function lookUpNames(rt: Runtime, userIds: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>(userIds.map((u) => [u, names.get(u)?.name ?? u]));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(userIds.map(async (u) => out.set(u, await lookUpName(rt, u)))),
    new Promise((resolve) => {
      timer = setTimeout(resolve, NAME_LOOKUP_MS);
    }),
  ]);
  clearTimeout(timer);
  return out;
}

function weeksParam(url: URL, name: string, fallback: number, max: number): number | string {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > max) return `${name} must be a whole number of weeks from 0 to ${max}`;
  return n;
}

/** null for a malformed escape such as "%E0", which decodeURIComponent throws on. */
function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** The secret part of a rotation's calendar address; CALENDAR_SECRET, else the signing secret. */
export function calendarToken(settings: Runtime["settings"], rotationId: string): string {
  const secret = settings.calendarSecret ?? settings.slackSigningSecret;
  return createHmac("sha256", secret).update(`calendar:${rotationId}`).digest("hex").slice(0, 32);
}

/** The calendar's path with its token, to append to the bot's public base URL. */
export function calendarPath(settings: Runtime["settings"], rotationId: string): string {
  return `${CALENDAR_PREFIX}${encodeURIComponent(rotationId)}.ics?token=${calendarToken(settings, rotationId)}`;
}

export function calendarRoute(rt: Runtime): ExtraRoute {
  return {
    prefix: CALENDAR_PREFIX,
    async handle(req: IncomingMessage, res: ServerResponse, url: URL) {
      req.resume();
      if (req.method !== "GET" && req.method !== "HEAD") {
        return sendJson(res, 405, { error: "use GET" }, { allow: "GET, HEAD" });
      }
      const m = /^\/calendar\/([^/]+)\.ics$/.exec(url.pathname);
      const id = m ? safeDecode(m[1]!) : null;
      const rotation = id === null ? undefined : rt.config.rotations.find((r) => r.id === id);
      const token = url.searchParams.get("token") ?? "";
      // Compared even for an unknown rotation, so timing does not tell which rotations exist.
      const tokenOk = secretMatches(token, calendarToken(rt.settings, id ?? ""));
      if (!rotation || !tokenOk) {
        return sendJson(res, 404, {
          error: "no such calendar: use the address `/oncall schedule` shows to the rotation's members",
        });
      }
      const ahead = weeksParam(url, "weeks", DEFAULT_WEEKS_AHEAD, MAX_WEEKS_AHEAD);
      const back = weeksParam(url, "past", DEFAULT_WEEKS_BACK, MAX_WEEKS_BACK);
      if (typeof ahead === "string" || typeof back === "string") {
        return sendJson(res, 400, { error: typeof ahead === "string" ? ahead : back });
      }
      const user = url.searchParams.get("user");
      let state: Awaited<ReturnType<Runtime["rotationState"]["routingState"]>>;
      try {
        state = await rt.rotationState.routingState();
      } catch (err) {
        rt.log.warn({ err }, "calendar: rotation state unavailable");
        return sendJson(
          res,
          503,
          { error: "rotation state unavailable; try again shortly" },
          { "retry-after": "30" },
        );
      }
      const now = rt.now();
      const shifts = shiftsBetween(
        rotation,
        new Date(now.getTime() - back * 7 * DAY_MS),
        new Date(now.getTime() + ahead * 7 * DAY_MS),
        state,
      ).filter((s) => !user || s.user === user);
      const users = [...new Set(shifts.flatMap((s) => [s.user, s.scheduledUser]))];
      const userNames = await lookUpNames(rt, users);
      const body = shiftsCalendar({
        rotation,
        shifts,
        now,
        userName: (id) => userNames.get(id) ?? id,
        teamName: (id) => teamName(rt.config, id),
      });
      res.setHeader("cache-control", "max-age=300");
      res.setHeader("content-disposition", `inline; filename="${rotation.id}.ics"`);
      if (req.method === "HEAD") {
        res.writeHead(200, { "content-type": "text/calendar; charset=utf-8" });
        return void res.end();
      }
      sendText(res, 200, body, "text/calendar; charset=utf-8");
    },
  };
}

export const calendarFeature: Feature = {
  name: "calendar",
  setup(rt) {
    return { routes: [calendarRoute(rt)] };
  },
};
