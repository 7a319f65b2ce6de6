// The sandbox page: shows what the fake Slack holds as the acting user sees it, refreshes on
// every change (server-sent events), and sends what a Slack user does to the sandbox API,
// which forwards it to the bot as Slack would. preact renders the whole page from one state
// object on every change; its diffing keeps unchanged messages (and the focus in them) as they are.

import { render } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { Blocks, collectState, html, initially, Markup, mrkdwn, setEmoji, textPlain } from "./blocks.js";

const api = {
  async get(path) {
    const res = await fetch(path, { cache: "no-store" });
    const body = await res.json();
    if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
    return body;
  },
  async post(path, payload) {
    const res = await fetch(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload ?? {}),
    });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
    return body;
  },
};

const S = {
  meta: null,
  state: null,
  as: null,
  conv: null,
  thread: null,
  clockOffset: 0,
  /** conversation id -> ts of the top-level messages already seen there */
  seen: new Map(),
  dismissed: new Set(),
  jumpAfterFire: false,
  modalErrors: {},
  history: [],
  historyAt: -1,
  toasts: [],
  dialog: null, // "fire" | "clock" | null
  confirm: null, // { confirm, resolve }
  busy: new Set(),
};

let painting = false;
function paint() {
  if (painting) return;
  painting = true;
  queueMicrotask(() => {
    painting = false;
    render(html`<${App} />`, document.body);
  });
}

// --- names ------------------------------------------------------------------------------------

const user = (id) => S.meta.users.find((u) => u.id === id);

function userName(id) {
  if (id === S.meta.bot.id) return S.meta.bot.name;
  return user(id)?.name;
}

const channelName = (id) => S.state?.conversations.find((x) => x.id === id)?.name ?? undefined;

function displayName(id) {
  if (id === S.meta.bot.id) return S.meta.bot.name;
  return user(id)?.realName ?? id;
}

function convTitle(c) {
  if (!c) return "";
  if (c.kind === "channel") return `#${c.name}`;
  const others = c.members.filter((m) => m !== S.as);
  if (c.mine) return `${S.meta.bot.name}${others.length ? `, ${others.map(displayName).join(", ")}` : ""}`;
  return `${S.meta.bot.name} ↔ ${c.members.map(displayName).join(", ")}`;
}

function ctxFor(surface, extra = {}) {
  return {
    me: S.as,
    userName,
    channelName,
    users: S.meta.users,
    channels: (S.state?.conversations ?? []).filter((c) => c.kind === "channel"),
    surface,
    confirm: confirmDialog,
    onAction: () => undefined,
    ...extra,
  };
}

function roleOf(u, oncall) {
  const parts = [];
  const on = oncall.filter((o) => o.user === u.id).map((o) => o.rotation);
  if (on.length) parts.push(`on call (${on.join(", ")})`);
  if (u.teams.length) parts.push(u.teams.join(", "));
  if (u.adminOf.length) parts.push(`admin of ${u.adminOf.join(", ")}`);
  else if (u.participantOf.length && !on.length) parts.push("in the rotation");
  if (!u.teams.length && !u.adminOf.length && !u.participantOf.length) parts.push("no team");
  return parts.join(" · ");
}

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

/** A message's time on the bot's clock when it was posted (the server keeps it across shifts). */
const timeOf = (at) => new Date(at).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });

// --- toasts, dialogs, busy buttons ------------------------------------------------------------

let toastId = 0;
function toast(text, kind = "info") {
  if (!text) return;
  const id = ++toastId;
  S.toasts = [...S.toasts, { id, text, kind }];
  paint();
  setTimeout(
    () => {
      S.toasts = S.toasts.filter((t) => t.id !== id);
      paint();
    },
    kind === "error" ? 9000 : 5000,
  );
}

function confirmDialog(confirm) {
  return new Promise((resolve) => {
    S.confirm = { confirm, resolve };
    paint();
  });
}

/** Runs a request, marks `busy` (a key or an element) meanwhile, and shows its notice or error. */
async function run(promise, busy) {
  const mark = (on) => {
    if (busy instanceof Element) {
      if (on) busy.setAttribute("aria-busy", "true");
      else busy.removeAttribute("aria-busy");
    } else if (busy) {
      if (on) S.busy.add(busy);
      else S.busy.delete(busy);
      paint();
    }
  };
  mark(true);
  try {
    const result = await promise;
    if (result?.notice) toast(result.notice, "warn");
    return result;
  } catch (err) {
    toast(err.message, "error");
    return null;
  } finally {
    mark(false);
  }
}

// --- loading --------------------------------------------------------------------------------------

let inFlight = null;
let again = false;

async function refresh() {
  if (inFlight) {
    again = true;
    return inFlight;
  }
  inFlight = (async () => {
    try {
      const state = await api.get(`/sandbox/api/state?as=${encodeURIComponent(S.as)}`);
      S.clockOffset = Date.parse(state.clock.now) - Date.now();
      const before = S.state;
      S.state = state;
      maybeJump(before, state);
      paint();
    } catch (err) {
      toast(`Could not load the workspace: ${err.message}`, "error");
    } finally {
      inFlight = null;
      if (again) {
        again = false;
        refresh();
      }
    }
  })();
  return inFlight;
}

/** After "Fire", follow the new page to wherever the bot posted it. */
function maybeJump(before, after) {
  if (!S.jumpAfterFire || !before) return;
  const count = (s, id) => s.conversations.find((c) => c.id === id)?.messages.length ?? 0;
  const grown = after.conversations.find(
    (c) => c.kind === "channel" && count(after, c.id) > count(before, c.id),
  );
  if (grown) {
    S.jumpAfterFire = false;
    if (S.conv !== grown.id) selectConv(grown.id, false);
  }
}

function listen() {
  const source = new EventSource("/sandbox/api/events");
  source.addEventListener("change", () => refresh());
  // EventSource reconnects by itself; the page stays usable with what it has.
  source.addEventListener("error", () => undefined);
}

// --- acting -----------------------------------------------------------------------------------------

function surfaceKey(surface) {
  if (surface.kind === "message") return `m:${surface.channel}:${surface.ts}`;
  if (surface.kind === "ephemeral") return `e:${surface.ts}`;
  return surface.viewId === S.state?.home?.id ? `h:${surface.viewId}` : `v:${surface.viewId}`;
}

async function sendAction(surface, where, element, selected, stateRoot, blocks) {
  const values = stateRoot ? collectState(stateRoot, blocks).values : undefined;
  const busy = document.querySelector(
    `[data-fkey="${CSS.escape(`${surfaceKey(surface)}|${where.i}|${where.path}`)}"]`,
  );
  await run(
    api.post("/sandbox/api/action", {
      as: S.as,
      surface,
      blockIndex: where.i,
      element: where.path,
      actionId: element.action_id,
      selected,
      values,
    }),
    busy,
  );
}

function selectConv(id, focus = true) {
  S.conv = id;
  if (id !== "home") S.thread = S.thread?.channel === id ? S.thread : null;
  saveLocation();
  if (id === "home") openHome();
  paint();
  requestAnimationFrame(() => {
    const target = document.getElementById(id === "home" ? "home" : "messages");
    if (focus) target?.focus({ preventScroll: true });
    if (id !== "home" && target) target.scrollTop = target.scrollHeight;
  });
}

async function openHome() {
  await run(api.post("/sandbox/api/home-open", { as: S.as }));
}

function actAs(id) {
  if (!user(id)) return;
  S.as = id;
  S.dismissed.clear();
  saveLocation();
  if (S.conv === "home") openHome();
  refresh();
  toast(`You are now ${displayName(id)} — ${roleOf(user(id), S.state?.oncall ?? [])}`);
}

function saveLocation() {
  const params = new URLSearchParams(location.search);
  params.set("as", S.as);
  if (S.conv) params.set("c", S.conv);
  history.replaceState(null, "", `${location.pathname}?${params}`);
  localStorage.setItem("sandbox.as", S.as);
}

async function sendCommand(event) {
  event.preventDefault();
  const input = event.currentTarget.querySelector("input");
  const text = input.value.trim();
  if (!text) return;
  if (!text.startsWith("/")) {
    toast("Only slash commands reach the bot here, e.g. /oncall who", "warn");
    return;
  }
  if (!S.conv) return;
  S.history.push(text);
  S.historyAt = S.history.length;
  input.value = "";
  // On Home the command goes out from the app's DM with you, as from Slack's Messages tab.
  const result = await run(api.post("/sandbox/api/command", { as: S.as, channel: S.conv, text }), input);
  if (!result) input.value = text;
}

function commandKeys(event) {
  const input = event.currentTarget;
  if (event.key === "ArrowUp" && input.value === "" && S.history.length) {
    S.historyAt = Math.max(0, S.historyAt - 1);
    input.value = S.history[S.historyAt] ?? "";
    event.preventDefault();
  } else if (event.key === "ArrowDown" && S.historyAt < S.history.length) {
    S.historyAt += 1;
    input.value = S.history[S.historyAt] ?? "";
    event.preventDefault();
  }
}

// --- the page -----------------------------------------------------------------------------------

function App() {
  if (!S.state) return null;
  return html`
    <a class="skip" href="#messages">Skip to messages</a>
    <${Topbar} />
    <div class="layout">
      <${Sidebar} />
      <${Main} />
      <${Thread} />
    </div>
    <${SlackModal} />
    <${FireDialog} />
    <${ClockDialog} />
    <${ConfirmDialog} />
    <div id="toasts" class="toasts" role="status" aria-live="polite">
      ${S.toasts.map((t) => html`<div key=${t.id} class=${`toast ${t.kind}`}>${t.text}</div>`)}
    </div>
  `;
}

function Topbar() {
  const oncall = S.state.oncall;
  const groups = new Map();
  for (const u of S.meta.users) {
    const group = u.teams[0] ?? (u.adminOf.length ? "Admins" : "Others");
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group).push(u);
  }
  const me = user(S.as);
  const now = new Date(Date.now() + S.clockOffset);
  const clock = now.toLocaleString(undefined, { weekday: "short", hour: "2-digit", minute: "2-digit" });
  const shifted = S.state.clock.shifted;
  return html`<header class="topbar">
    <div class="brand">shared-oncall <span class="tag">sandbox</span></div>
    <label class="act-as">
      <span>Act as</span>
      <select id="as" aria-describedby="as-role" value=${S.as} onChange=${(e) => actAs(e.currentTarget.value)}>
        ${[...groups].map(
          ([group, users]) => html`<optgroup key=${group} label=${group}>
            ${users.map(
              (u) =>
                html`<option key=${u.id} value=${u.id}>
                  ${u.realName} (@${u.name})${oncall.some((o) => o.user === u.id) ? " · on call" : ""}
                </option>`,
            )}
          </optgroup>`,
        )}
      </select>
    </label>
    <span id="as-role" class="role">${me ? roleOf(me, oncall) : ""}</span>
    <div class="spacer"></div>
    <button
      type="button"
      id="clock-btn"
      class=${`ghost${shifted ? " shifted" : ""}`}
      title="The bot's clock: shift it to try working-hours rules"
      onClick=${() => openDialog("clock")}
    >
      🕒 <span id="clock">${shifted ? `${clock} (shifted)` : clock}</span>
    </button>
    <button type="button" id="fire-btn" class="btn primary" aria-keyshortcuts="f" onClick=${() => openDialog("fire")}>
      Fire an alert
    </button>
    <${StormButton} id="storm-btn" count=${20} label="Storm ×20" title="Twenty different alerts at once" />
    <${StormButton}
      id="storm200-btn"
      count=${200}
      label="×200"
      title="Two hundred different alerts at once: more than Slack's limits let through"
    />
    <${SlackLimits} limits=${S.state?.slackLimits} />
  </header>`;
}

function StormButton({ id, count, label, title }) {
  return html`<button
    type="button"
    id=${id}
    class="btn danger"
    title=${title}
    aria-busy=${S.busy.has("storm") ? "true" : undefined}
    onClick=${() => storm(count)}
  >
    ${label}
  </button>`;
}

/** How many of the bot's Slack calls the fake answered 429 (Slack's rate limits). */
function SlackLimits({ limits }) {
  if (!limits) return null;
  if (!limits.on)
    return html`<span id="slack-429" class="limits muted" title="The fake Slack's rate limits are off">429s: off</span>`;
  const detail = limits.byMethod
    .map((m) => `${m.method}: ${m.limited} of ${m.allowed + m.limited}`)
    .join("\n");
  const title = `Slack calls answered 429 (rate limited) of ${limits.calls} calls${detail ? `\n${detail}` : ""}`;
  return html`<span id="slack-429" class=${`limits${limits.limited > 0 ? " hit" : ""}`} title=${title}>
    429s: <strong>${limits.limited}</strong> / ${limits.calls}
  </span>`;
}

function unreadIn(c) {
  const seen = S.seen.get(c.id);
  return c.messages.filter((m) => !seen?.has(m.ts)).length;
}

/** What is in the open conversation counts as read; the rest keeps what was seen before. */
function markSeen() {
  for (const c of S.state.conversations) {
    if (!S.seen.has(c.id)) S.seen.set(c.id, new Set());
    if (c.id === S.conv) for (const m of c.messages) S.seen.get(c.id).add(m.ts);
  }
}

function NavItem({ c, label }) {
  const unread = c.id === S.conv ? 0 : unreadIn(c);
  const mine = (c.ephemerals ?? []).filter((e) => !S.dismissed.has(e.ts)).length;
  const active = S.conv === c.id;
  return html`<li>
    <button
      type="button"
      class=${`nav-item${active ? " active" : ""}${unread > 0 ? " unread" : ""}`}
      data-conv=${c.id}
      aria-current=${active ? "page" : undefined}
      onClick=${() => selectConv(c.id)}
    >
      <span class="nav-label">${label}</span>
      ${unread > 0 ? html`<span class="badge" aria-label=${`${unread} new`}>${unread}</span>` : null}
      ${mine > 0 && unread <= 0 ? html`<span class="dot" title="Only visible to you">•</span>` : null}
    </button>
  </li>`;
}

function Sidebar() {
  markSeen();
  const convs = S.state.conversations;
  const channels = convs.filter((c) => c.kind === "channel").sort((a, b) => a.name.localeCompare(b.name));
  const mine = convs.filter((c) => c.kind === "dm" && c.mine);
  const others = convs.filter((c) => c.kind === "dm" && !c.mine);
  return html`<nav id="sidebar" aria-label="Conversations">
    <button
      type="button"
      class=${`nav-item${S.conv === "home" ? " active" : ""}`}
      data-conv="home"
      id="home-link"
      onClick=${() => selectConv("home")}
    >
      🏠 Home
    </button>
    <h2 class="side-h">Channels</h2>
    <ul id="channels">
      ${channels.map((c) => html`<${NavItem} key=${c.id} c=${c} label=${`# ${c.name}`} />`)}
    </ul>
    <h2 class="side-h">Direct messages</h2>
    <ul id="dms">
      ${
        mine.length
          ? mine.map((c) => html`<${NavItem} key=${c.id} c=${c} label=${convTitle(c)} />`)
          : html`<li class="muted empty">none yet</li>`
      }
    </ul>
    ${
      others.length
        ? html`<details id="other-dms-box">
          <summary>Everyone else's DMs <span class="muted">(sandbox only)</span></summary>
          <ul id="other-dms">
            ${others.map((c) => html`<${NavItem} key=${c.id} c=${c} label=${convTitle(c)} />`)}
          </ul>
        </details>`
        : null
    }
    <section class="oncall-now" aria-label="On call now">
      <h2 class="side-h">On call now</h2>
      <ul id="oncall">
        ${S.state.oncall.map(
          (o) => html`<li key=${o.rotation}>
            <span class="muted">${o.rotation}: </span>
            ${
              o.user
                ? html`<button type="button" class="link" onClick=${() => actAs(o.user)}>${displayName(o.user)}</button>`
                : "nobody"
            }
          </li>`,
        )}
      </ul>
    </section>
    <${WebhookInfo} />
  </nav>`;
}

/** The webhook's token and a curl to paste, so alerts can come from a shell too. */
function WebhookInfo() {
  const { token, curl } = S.meta.webhook;
  const copy = () =>
    navigator.clipboard?.writeText(curl).then(
      () => toast("Copied the curl command"),
      () => toast("Could not copy: select the text instead", "warn"),
    );
  return html`<details id="webhook" class="webhook">
    <summary>Webhook token and curl</summary>
    <p class="muted">
      <code>ALERT_WEBHOOK_TOKEN</code>: <code id="webhook-token">${token}</code>
    </p>
    <pre id="webhook-curl">${curl}</pre>
    <button type="button" class="btn" onClick=${copy}>Copy curl</button>
  </details>`;
}

function channelPurpose(id) {
  return S.meta.channels.find((c) => c.id === id)?.purpose ?? "";
}

function Main() {
  const home = S.conv === "home";
  const conv = S.state.conversations.find((c) => c.id === S.conv);
  const anyPages = S.state.conversations.some((c) => c.kind === "channel" && c.messages.length > 0);
  let title = "Pick a conversation";
  let sub = "";
  if (home) {
    title = "Home";
    sub = `The app's Home tab, as ${displayName(S.as)} sees it; commands typed here go out from your DM with the app`;
  } else if (conv) {
    title = convTitle(conv);
    sub =
      conv.kind === "channel"
        ? channelPurpose(conv.id)
        : conv.mine
          ? "Your direct messages with the bot"
          : "Someone else's direct messages; in Slack only they see these";
  }
  return html`<main id="main">
    <header class="conv-header">
      <h1 id="conv-title">${title}</h1>
      <p id="conv-sub" class="muted">${sub}</p>
    </header>
    ${!home && !anyPages ? html`<${Guide} />` : null}
    ${home ? html`<${Home} />` : html`<${Messages} conv=${conv} />`}
    <form id="composer" class="composer" autocomplete="off" onSubmit=${sendCommand}>
      <label for="command" class="visually-hidden">Slash command</label>
      <input
        id="command"
        list="command-hints"
        placeholder="Type a slash command: /oncall who, /incident list…"
        aria-keyshortcuts="/"
        onKeyDown=${commandKeys}
      />
      <datalist id="command-hints">
        ${S.meta.commands.flatMap((c) => [
          ...c.subcommands.map(
            (s) =>
              html`<option key=${`${c.command}:${s.name}`} value=${s.example}>${s.usage} — ${s.summary}</option>`,
          ),
          html`<option key=${`${c.command}:help`} value=${`${c.command} help`}>
            ${c.command} help — what ${c.command} can do
          </option>`,
        ])}
      </datalist>
      <button type="submit" class="btn">Send</button>
    </form>
  </main>`;
}

function Guide() {
  return html`<section id="guide" class="guide" aria-label="Getting started">
    <h2>Try it</h2>
    <ol>
      <li>
        <strong>Fire an alert</strong> (top right, or press <kbd>f</kbd>): the bot pages the on-call engineer
        here. From a shell, the curl under <em>Webhook token and curl</em> (bottom left) does the same.
      </li>
      <li><strong>Act as</strong> the engineer on call (marked “on call”) and press <em>Acknowledge</em>.</li>
      <li>
        Hand it to the owning team, escalate it, resolve it: the page is rewritten in place, the thread keeps
        the history.
      </li>
      <li>Act as someone else to see refusals and broadcasts; type <code>/oncall help</code> below.</li>
    </ol>
  </section>`;
}

/** Keeps the list scrolled to the bottom when it was there, as new messages arrive. */
function useStickToBottom(ref, deps) {
  const near = useRef(true);
  const el = ref.current;
  if (el) near.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  useEffect(() => {
    if (ref.current && near.current) ref.current.scrollTop = ref.current.scrollHeight;
  }, deps);
}

function Messages({ conv }) {
  const ref = useRef(null);
  const entries = [];
  if (conv) {
    const visible = (conv.ephemerals ?? []).filter((e) => !e.threadTs && !S.dismissed.has(e.ts));
    entries.push(...conv.messages.map((m) => ({ ts: m.ts, m })), ...visible.map((e) => ({ ts: e.ts, e })));
    entries.sort((a, b) => Number(a.ts) - Number(b.ts));
  }
  useStickToBottom(ref, [conv?.id, entries.length]);
  return html`<div id="messages" class="messages" role="log" aria-live="polite" tabindex="-1" ref=${ref}>
    ${
      entries.length === 0
        ? html`<p class="muted empty-conv">Nothing here yet.</p>`
        : entries.map((x) =>
            x.m
              ? html`<${Message} key=${`m:${x.m.ts}`} conv=${conv} m=${x.m} />`
              : html`<${Ephemeral} key=${`e:${x.e.ts}`} e=${x.e} />`,
          )
    }
  </div>`;
}

function Avatar({ id }) {
  if (id === S.meta.bot.id) return html`<div class="avatar bot" aria-hidden="true">🤖</div>`;
  return html`<div class="avatar" aria-hidden="true">${displayName(id).slice(0, 1).toUpperCase()}</div>`;
}

/** Flashes a message once when its content changes (an edit), and only then. */
function useFlash(sig) {
  const ref = useRef(null);
  const last = useRef(sig);
  useEffect(() => {
    if (last.current === sig) return;
    last.current = sig;
    const el = ref.current;
    if (!el) return;
    el.classList.remove("flash");
    void el.offsetWidth;
    el.classList.add("flash");
    const t = setTimeout(() => el.classList.remove("flash"), 1600);
    return () => clearTimeout(t);
  }, [sig]);
  return ref;
}

function Message({ conv, m, inThread = false }) {
  const ref = useFlash(JSON.stringify([m.text, m.blocks, m.attachments, m.reactions]));
  const surface = { kind: "message", channel: conv.id, ts: m.ts };
  const ctx = ctxFor(surfaceKey(surface), {
    onAction: (where, element, selected) => sendAction(surface, where, element, selected),
  });
  const isBot = m.user === S.meta.bot.id || m.bot;
  const threadEphemerals = (conv.ephemerals ?? []).filter(
    (e) => e.threadTs === m.ts && !S.dismissed.has(e.ts),
  );
  const replyCount = m.replies?.length ?? 0;
  return html`<article
    class="msg"
    data-ts=${m.ts}
    tabindex="-1"
    aria-label=${`${displayName(m.user)} at ${timeOf(m.at)}`}
    ref=${ref}
  >
    <${Avatar} id=${m.user} />
    <div class="msg-body">
      <div class="meta">
        <strong>${displayName(m.user)}</strong>
        ${isBot ? html`<span class="app-tag">APP</span>` : null}
        <time datetime=${m.at}>${timeOf(m.at)}</time>
        ${m.edited ? html`<span class="muted edited">(edited)</span>` : null}
        ${m.broadcast ? html`<span class="muted">also sent to the channel</span>` : null}
      </div>
      <${Content} m=${m} ctx=${ctx} />
      ${
        m.reactions?.length
          ? html`<div class="reactions">
            ${m.reactions.map(
              (r) =>
                html`<span class="reaction" key=${r.name}><${Markup} tag="span" markup=${mrkdwn(`:${r.name}:`, ctx)} /> ${r.count}</span>`,
            )}
          </div>`
          : null
      }
      ${
        !inThread && (replyCount > 0 || threadEphemerals.length > 0)
          ? html`<button
            type="button"
            class="replies link"
            data-fkey=${`replies:${m.ts}`}
            onClick=${() => openThread(conv.id, m.ts)}
          >
            ${plural(replyCount, "reply", "replies")}
          </button>`
          : null
      }
    </div>
  </article>`;
}

function Ephemeral({ e }) {
  const surface = { kind: "ephemeral", ts: e.ts };
  const ctx = ctxFor(surfaceKey(surface), {
    onAction: (where, element, selected) => sendAction(surface, where, element, selected),
  });
  const dismiss = () => {
    S.dismissed.add(e.ts);
    paint();
  };
  return html`<article class="msg ephemeral" data-ts=${e.ts} tabindex="-1">
    <${Avatar} id=${S.meta.bot.id} />
    <div class="msg-body">
      <div class="meta">
        <strong>${S.meta.bot.name}</strong>
        <span class="app-tag">APP</span>
        <time datetime=${e.at}>${timeOf(e.at)}</time>
        <span class="only-you">👁 Only visible to you</span>
        <button type="button" class="link dismiss" onClick=${dismiss}>Dismiss</button>
      </div>
      <${Content} m=${{ text: e.text, blocks: e.blocks }} ctx=${ctx} />
    </div>
  </article>`;
}

function cssColor(c) {
  const named = { good: "#2eb67d", warning: "#ecb22e", danger: "#e01e5a" };
  if (named[c]) return named[c];
  return /^#?[0-9a-f]{3,8}$/i.test(c) ? (c.startsWith("#") ? c : `#${c}`) : "#ccc";
}

function Content({ m, ctx }) {
  return html`<div class="content">
    ${
      m.blocks?.length
        ? html`<${Blocks} blocks=${m.blocks} ctx=${ctx} />`
        : m.text
          ? html`<${Markup} class="b-text" markup=${mrkdwn(m.text, ctx)} />`
          : null
    }
    ${(m.attachments ?? []).map(
      (a, i) => html`<div
        key=${i}
        class="attachment"
        style=${a.color ? `border-left-color:${cssColor(a.color)}` : undefined}
      >
        ${a.title ? html`<strong>${a.title}</strong>` : null}
        ${a.blocks ? html`<${Blocks} blocks=${a.blocks} ctx=${ctx} />` : null}
        ${a.text ? html`<${Markup} markup=${mrkdwn(a.text, ctx)} />` : null}
        ${(a.fields ?? []).map((f) => html`<div><strong>${f.title ?? ""}</strong> ${f.value ?? ""}</div>`)}
      </div>`,
    )}
  </div>`;
}

function Home() {
  const ref = useRef(null);
  const home = S.state.home;
  const answers = (S.state.homeEphemerals ?? []).filter((e) => !S.dismissed.has(e.ts));
  const surface = home ? { kind: "view", viewId: home.id } : null;
  const ctx = home
    ? ctxFor(`h:${home.id}`, {
        onAction: (where, element, selected) =>
          sendAction(surface, where, element, selected, ref.current, home.view.blocks),
      })
    : null;
  return html`<div id="home" class="home" tabindex="-1" ref=${ref}>
    ${
      home
        ? html`<${Blocks} key=${home.id} blocks=${home.view.blocks} ctx=${ctx} />`
        : html`<p class="muted">The app has not published a Home tab for you (yet).</p>`
    }
    ${
      answers.length
        ? html`<section id="home-answers" class="home-answers" aria-label="Answers to your commands">
          <h2 class="side-h">Answers to your commands</h2>
          ${answers.map((e) => html`<${Ephemeral} key=${e.ts} e=${e} />`)}
        </section>`
        : null
    }
  </div>`;
}

function openThread(channel, ts) {
  S.thread = { channel, ts };
  paint();
  requestAnimationFrame(() => document.querySelector("#thread button")?.focus());
}

function closeThread() {
  S.thread = null;
  paint();
}

function Thread() {
  const conv = S.thread && S.state.conversations.find((c) => c.id === S.thread.channel);
  const parent = conv?.messages.find((m) => m.ts === S.thread.ts);
  const ref = useRef(null);
  const eph = parent
    ? (conv.ephemerals ?? []).filter((e) => e.threadTs === parent.ts && !S.dismissed.has(e.ts))
    : [];
  const entries = parent
    ? [...parent.replies.map((m) => ({ ts: m.ts, m })), ...eph.map((e) => ({ ts: e.ts, e }))].sort(
        (a, b) => Number(a.ts) - Number(b.ts),
      )
    : [];
  useStickToBottom(ref, [parent?.ts, entries.length]);
  if (!parent) return html`<aside id="thread" class="thread" hidden aria-label="Thread"></aside>`;
  return html`<aside id="thread" class="thread" aria-label="Thread">
    <header>
      <h2>Thread</h2>
      <button type="button" id="thread-close" class="ghost" aria-label="Close thread" onClick=${closeThread}>✕</button>
    </header>
    <div id="thread-messages" class="messages" ref=${ref}>
      <${Message} key=${`p:${parent.ts}`} conv=${conv} m=${parent} inThread=${true} />
      <div class="thread-sep muted">${plural(parent.replies.length, "reply", "replies")}</div>
      ${entries.map((x) =>
        x.m
          ? html`<${Message} key=${`m:${x.m.ts}`} conv=${conv} m=${x.m} inThread=${true} />`
          : html`<${Ephemeral} key=${`e:${x.e.ts}`} e=${x.e} />`,
      )}
    </div>
  </aside>`;
}

// --- dialogs ------------------------------------------------------------------------------------

/** A native <dialog> shown modally while `open`; Esc asks `onCancel` instead of closing by itself. */
function Dialog({ id, open, onCancel, labelledby, children }) {
  const ref = useRef(null);
  useEffect(() => {
    const dlg = ref.current;
    if (!dlg) return;
    if (open && !dlg.open) {
      dlg.showModal();
      dlg
        .querySelector(".modal-body input, .modal-body textarea, .modal-body select, .modal-body button")
        ?.focus();
    }
    if (!open && dlg.open) dlg.close();
  });
  const cancel = (event) => {
    event.preventDefault();
    onCancel?.();
  };
  return html`<dialog id=${id} class="modal" aria-labelledby=${labelledby} ref=${ref} onCancel=${cancel}>
    ${open ? children : null}
  </dialog>`;
}

function openDialog(name) {
  S.dialog = name;
  paint();
}

function closeDialog() {
  S.dialog = null;
  paint();
}

function topModal() {
  const modals = S.state.modals;
  return modals.length ? modals[modals.length - 1] : null;
}

/** The app's modal (views.open/push/update), keyed by view id so an update keeps what was typed. */
function SlackModal() {
  const view = topModal();
  const form = useRef(null);
  const first = useRef(null);
  useEffect(() => {
    if (view && first.current !== view.id) {
      first.current = view.id;
      form.current
        ?.querySelector(".modal-body input, .modal-body textarea, .modal-body select, .modal-body button")
        ?.focus();
    }
  });
  if (!view) return html`<${Dialog} id="modal" open=${false} labelledby="modal-title" />`;
  const blocks = view.view.blocks;
  const surface = { kind: "view", viewId: view.id };
  const ctx = ctxFor(`v:${view.id}`, {
    onAction: (where, element, selected) =>
      sendAction(surface, where, element, selected, form.current, blocks),
    errors: S.modalErrors[view.id] ?? {},
  });
  const submit = (event) => {
    event.preventDefault();
    submitModal(view, form.current);
  };
  const close = () => closeModal(view);
  return html`<${Dialog} id="modal" open=${true} labelledby="modal-title" onCancel=${close}>
    <form method="dialog" onSubmit=${submit} ref=${form} key=${view.id}>
      <header>
        <h2 id="modal-title">${textPlain(view.view.title) || "Modal"}</h2>
        <button type="button" class="ghost" aria-label="Close" onClick=${close}>✕</button>
      </header>
      <div class="modal-body"><${Blocks} blocks=${blocks} ctx=${ctx} /></div>
      <footer>
        <button type="button" class="btn" onClick=${close}>${textPlain(view.view.close) || "Cancel"}</button>
        ${
          view.view.submit
            ? html`<button type="submit" class="btn primary" aria-busy=${S.busy.has(`submit:${view.id}`) ? "true" : undefined}>
              ${textPlain(view.view.submit)}
            </button>`
            : null
        }
      </footer>
    </form>
  <//>`;
}

async function submitModal(view, form) {
  const { values, missing } = collectState(form, view.view.blocks);
  if (missing.length) {
    S.modalErrors = {
      [view.id]: Object.fromEntries(missing.map((b) => [b, "Please complete this required field."])),
    };
    paint();
    requestAnimationFrame(() =>
      form.querySelector(".has-error input, .has-error textarea, .has-error select")?.focus(),
    );
    return;
  }
  const result = await run(
    api.post("/sandbox/api/view-submit", { as: S.as, viewId: view.id, values }),
    `submit:${view.id}`,
  );
  S.modalErrors = result?.errors ? { [view.id]: result.errors } : {};
  refresh();
}

async function closeModal(view) {
  await run(api.post("/sandbox/api/view-close", { as: S.as, viewId: view.id }));
  refresh();
}

function ConfirmDialog() {
  const c = S.confirm;
  const answer = (yes) => {
    S.confirm = null;
    paint();
    c?.resolve(yes);
  };
  return html`<${Dialog} id="confirm-dialog" open=${c !== null} labelledby="confirm-title" onCancel=${() => answer(false)}>
    ${
      c
        ? html`<form method="dialog" onSubmit=${(e) => {
            e.preventDefault();
            answer(true);
          }}>
          <header><h2 id="confirm-title">${textPlain(c.confirm.title) || "Are you sure?"}</h2></header>
          <div class="modal-body" id="confirm-text"><p>${textPlain(c.confirm.text)}</p></div>
          <footer>
            <button type="button" class="btn" id="confirm-no" onClick=${() => answer(false)}>
              ${textPlain(c.confirm.deny) || "Cancel"}
            </button>
            <button type="submit" class="btn primary" id="confirm-yes">${textPlain(c.confirm.confirm) || "OK"}</button>
          </footer>
        </form>`
        : null
    }
  <//>`;
}

// --- fire an alert ------------------------------------------------------------------------------

function labelsText(labels) {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join("\n");
}

function parseLabels(text) {
  const labels = {};
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    const i = trimmed.indexOf("=");
    if (i <= 0) throw new Error(`“${trimmed}” is not name=value`);
    labels[trimmed.slice(0, i).trim()] = trimmed
      .slice(i + 1)
      .trim()
      .replace(/^"(.*)"$/, "$1");
  }
  return labels;
}

function FireDialog() {
  const form = useRef(null);
  const fillExample = (event) => {
    const ex = S.meta.examples.find((e) => e.id === event.currentTarget.value);
    if (!ex || !form.current) return;
    form.current.querySelector("#fire-labels").value = labelsText(ex.labels);
    form.current.querySelector("#fire-summary").value = ex.annotations.summary ?? "";
  };
  const first = S.meta.examples[0];
  return html`<${Dialog} id="fire-dialog" open=${S.dialog === "fire"} labelledby="fire-title" onCancel=${closeDialog}>
    <form id="fire-form" method="dialog" ref=${form} onSubmit=${fire}>
      <header><h2 id="fire-title">Fire an alert</h2></header>
      <div class="modal-body">
        <label class="field">
          <span>Example</span>
          <select id="fire-example" onChange=${fillExample}>
            ${S.meta.examples.map((e) => html`<option key=${e.id} value=${e.id}>${e.title}</option>`)}
          </select>
        </label>
        <label class="field">
          <span>Labels <span class="muted">(one <code>name=value</code> per line)</span></span>
          <textarea id="fire-labels" rows="6" spellcheck="false">${first ? labelsText(first.labels) : ""}</textarea>
        </label>
        <label class="field">
          <span>Summary</span>
          <input
            id="fire-summary"
            ref=${initially((el) => {
              el.value = first?.annotations.summary ?? "";
            })}
          />
        </label>
        <fieldset class="field">
          <legend>Status</legend>
          <label class="choice">
            <input
              type="radio"
              name="fire-status"
              value="firing"
              ref=${initially((el) => {
                el.checked = true;
              })}
            />
            firing
          </label>
          <label class="choice"><input type="radio" name="fire-status" value="resolved" /> resolved</label>
        </fieldset>
        <p class="muted">Sent to the bot's <code>/webhooks/alertmanager</code> with the webhook token, as Alertmanager would.</p>
      </div>
      <footer>
        <button type="button" class="btn" id="fire-cancel" onClick=${closeDialog}>Cancel</button>
        <button type="submit" class="btn primary" id="fire-submit" aria-busy=${S.busy.has("fire") ? "true" : undefined}>
          Fire
        </button>
      </footer>
    </form>
  <//>`;
}

async function fire(event) {
  event.preventDefault();
  const form = event.currentTarget;
  let labels;
  try {
    labels = parseLabels(form.querySelector("#fire-labels").value);
  } catch (err) {
    toast(err.message, "error");
    return;
  }
  const ex = S.meta.examples.find((e) => e.id === form.querySelector("#fire-example").value);
  const annotations = { ...(ex?.annotations ?? {}), summary: form.querySelector("#fire-summary").value };
  const status = form.querySelector("input[name=fire-status]:checked")?.value ?? "firing";
  S.jumpAfterFire = status === "firing";
  const result = await run(api.post("/sandbox/api/fire", { labels, annotations, status }), "fire");
  if (result && result.status < 300) {
    closeDialog();
    toast(status === "firing" ? `Fired ${labels.alertname}` : `Sent “resolved” for ${labels.alertname}`);
  }
}

async function storm(count) {
  S.jumpAfterFire = true;
  const result = await run(api.post("/sandbox/api/storm", { count }), "storm");
  if (result) toast(`Fired ${result.fired} alerts at once`);
}

// --- clock --------------------------------------------------------------------------------------------

function ClockDialog() {
  const now = new Date(Date.now() + S.clockOffset);
  const local = new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  const submit = (event) => {
    event.preventDefault();
    const v = event.currentTarget.querySelector("#clock-at").value;
    if (v) setClock(new Date(v).toISOString());
  };
  return html`<${Dialog} id="clock-dialog" open=${S.dialog === "clock"} labelledby="clock-title" onCancel=${closeDialog}>
    <form id="clock-form" method="dialog" onSubmit=${submit}>
      <header><h2 id="clock-title">The bot's clock</h2></header>
      <div class="modal-body">
        <p class="muted">
          Hand-offs are only allowed during the owning team's working hours. Shift the bot's clock to try both
          sides; it keeps ticking from there. Messages keep the time they were posted at.
        </p>
        <label class="field">
          <span>Pretend it is (your local time)</span>
          <input
            type="datetime-local"
            id="clock-at"
            ref=${initially((el) => {
              el.value = local;
            })}
          />
        </label>
      </div>
      <footer>
        <button type="button" class="btn" id="clock-real" onClick=${() => setClock(null)}>Back to real time</button>
        <button type="button" class="btn" id="clock-cancel" onClick=${closeDialog}>Cancel</button>
        <button type="submit" class="btn primary">Set</button>
      </footer>
    </form>
  <//>`;
}

async function setClock(at) {
  const result = await run(api.post("/sandbox/api/clock", { at }));
  if (result) {
    closeDialog();
    refresh();
  }
}

// --- start --------------------------------------------------------------------------------------------

function globalKeys(event) {
  const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement?.tagName ?? "");
  if (document.querySelector("dialog[open]")) return;
  if (event.key === "Escape" && S.thread) {
    closeThread();
    return;
  }
  if (typing || event.ctrlKey || event.metaKey) return;
  if (event.key === "/" && !event.altKey) {
    event.preventDefault();
    document.getElementById("command")?.focus();
  } else if (event.key === "f" && !event.altKey) {
    event.preventDefault();
    openDialog("fire");
  } else if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
    const ids = [...document.querySelectorAll("#sidebar [data-conv]")].map((b) => b.dataset.conv);
    const i = ids.indexOf(S.conv);
    const next = ids[(i + (event.key === "ArrowDown" ? 1 : -1) + ids.length) % ids.length];
    if (next) selectConv(next);
    event.preventDefault();
  }
}

/** When the focused control disappears (Acknowledge after acknowledging), focus its message instead. */
function keepFocusInMessages() {
  let focused = null;
  document.addEventListener("focusin", (event) => {
    focused = event.target;
  });
  new MutationObserver(() => {
    if (!focused || focused.isConnected || document.activeElement !== document.body) return;
    const ts = focused.dataset?.ts ?? focused.sandboxTs;
    focused = null;
    const article = ts && document.querySelector(`article[data-ts="${CSS.escape(ts)}"]`);
    article?.focus({ preventScroll: true });
  }).observe(document.body, { childList: true, subtree: true });
  // A removed element no longer knows its message, so note it while it is still in place.
  document.addEventListener(
    "focusin",
    (event) => {
      const ts = event.target.closest?.("[data-ts]")?.dataset.ts;
      if (ts) event.target.sandboxTs = ts;
    },
    true,
  );
}

async function start() {
  const [meta, emojiTable] = await Promise.all([
    api.get("/sandbox/api/meta"),
    api.get("/sandbox/emoji.json"),
  ]);
  S.meta = meta;
  setEmoji(emojiTable);
  const params = new URLSearchParams(location.search);
  const ids = S.meta.users.map((u) => u.id);
  const wanted = params.get("as") ?? localStorage.getItem("sandbox.as");
  const oncallUser = S.meta.oncall.find((o) => o.user)?.user;
  S.as = ids.includes(wanted) ? wanted : (oncallUser ?? ids[0]);
  S.conv = params.get("c") ?? S.meta.rotations[0]?.channel ?? null;

  document.addEventListener("click", (event) => {
    const link = event.target.closest?.("a.channel-link");
    if (link) {
      event.preventDefault();
      selectConv(link.dataset.channel);
    }
  });
  document.addEventListener("keydown", globalKeys);
  keepFocusInMessages();
  setInterval(paint, 15_000);

  saveLocation();
  await refresh();
  render(html`<${App} />`, document.body);
  if (S.conv === "home") openHome();
  listen();
  document.body.dataset.ready = "true";
}

start().catch((err) => {
  const p = document.createElement("p");
  p.className = "toast error";
  p.textContent = `The sandbox page failed to start: ${err.message}`;
  document.body.prepend(p);
});
