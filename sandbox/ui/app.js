// The sandbox page: shows what the fake Slack holds as the acting user sees it, refreshes on
// every change (server-sent events), and sends what a Slack user does to the sandbox API,
// which forwards it to the bot as Slack would.

import { collectState, h, renderBlocks, textPlain } from "./blocks.js";

const $ = (id) => document.getElementById(id);
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
  /** conversation id -> number of top-level messages already seen */
  seen: new Map(),
  dismissed: new Set(),
  jumpAfterFire: false,
  modalHash: null,
  history: [],
  historyAt: -1,
};

// --- names ------------------------------------------------------------------------------------

function user(id) {
  return S.meta.users.find((u) => u.id === id);
}

function userName(id) {
  if (id === S.meta.bot.id) return S.meta.bot.name;
  return user(id)?.name;
}

function channelName(id) {
  const c = S.state?.conversations.find((x) => x.id === id);
  return c?.name ?? undefined;
}

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
    elements: new Map(),
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

// --- toasts and dialogs -------------------------------------------------------------------------

function toast(text, kind = "info") {
  if (!text) return;
  const el = h("div", { class: `toast ${kind}` }, text);
  $("toasts").append(el);
  setTimeout(() => el.remove(), kind === "error" ? 9000 : 5000);
}

function confirmDialog(confirm) {
  const dlg = $("confirm-dialog");
  $("confirm-title").textContent = textPlain(confirm.title) || "Are you sure?";
  $("confirm-text").replaceChildren(h("p", {}, textPlain(confirm.text)));
  $("confirm-yes").textContent = textPlain(confirm.confirm) || "OK";
  $("confirm-no").textContent = textPlain(confirm.deny) || "Cancel";
  dlg.returnValue = "";
  dlg.showModal();
  return new Promise((resolve) =>
    dlg.addEventListener("close", () => resolve(dlg.returnValue === "yes"), { once: true }),
  );
}

async function run(promise, busy) {
  if (busy) busy.setAttribute("aria-busy", "true");
  try {
    const result = await promise;
    if (result?.notice) toast(result.notice, "warn");
    return result;
  } catch (err) {
    toast(err.message, "error");
    return null;
  } finally {
    if (busy) busy.removeAttribute("aria-busy");
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
      render();
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
  source.addEventListener("error", () => {
    // EventSource reconnects by itself; the page stays usable with what it has.
  });
}

// --- rendering ----------------------------------------------------------------------------------

function render() {
  renderTopbar();
  renderSidebar();
  renderMain();
  renderThread();
  renderModal();
}

function renderTopbar() {
  const select = $("as");
  const oncall = S.state.oncall;
  for (const option of select.options) {
    const u = user(option.value);
    const onCall = oncall.some((o) => o.user === u.id);
    const label = `${u.realName} (@${u.name})${onCall ? " · on call" : ""}`;
    if (option.textContent !== label) option.textContent = label;
  }
  select.value = S.as;
  const me = user(S.as);
  $("as-role").textContent = me ? roleOf(me, oncall) : "";
  renderClock();
}

function renderClock() {
  if (!S.state) return;
  const now = new Date(Date.now() + S.clockOffset);
  const text = now.toLocaleString(undefined, { weekday: "short", hour: "2-digit", minute: "2-digit" });
  $("clock").textContent = S.state.clock.shifted ? `${text} (shifted)` : text;
  $("clock-btn").classList.toggle("shifted", S.state.clock.shifted);
}

function navItem(c, label) {
  const unread = c.messages.length - (S.seen.get(c.id) ?? c.messages.length);
  const mine = (c.ephemerals ?? []).filter((e) => !S.dismissed.has(e.ts)).length;
  return h(
    "li",
    {},
    h(
      "button",
      {
        type: "button",
        class: `nav-item${S.conv === c.id ? " active" : ""}${unread > 0 ? " unread" : ""}`,
        "data-conv": c.id,
        "aria-current": S.conv === c.id ? "page" : null,
        onclick: () => selectConv(c.id),
      },
      h("span", { class: "nav-label" }, label),
      unread > 0 ? h("span", { class: "badge", "aria-label": `${unread} new` }, String(unread)) : null,
      mine > 0 && unread <= 0 ? h("span", { class: "dot", title: "Only visible to you" }, "•") : null,
    ),
  );
}

function renderSidebar() {
  const convs = S.state.conversations;
  for (const c of convs) if (!S.seen.has(c.id)) S.seen.set(c.id, c.id === S.conv ? c.messages.length : 0);
  if (S.conv && S.conv !== "home")
    S.seen.set(S.conv, convs.find((c) => c.id === S.conv)?.messages.length ?? 0);
  const channels = convs.filter((c) => c.kind === "channel").sort((a, b) => a.name.localeCompare(b.name));
  const mine = convs.filter((c) => c.kind === "dm" && c.mine);
  const others = convs.filter((c) => c.kind === "dm" && !c.mine);
  keepFocus(() => {
    $("channels").replaceChildren(...channels.map((c) => navItem(c, `# ${c.name}`)));
    $("dms").replaceChildren(
      ...(mine.length
        ? mine.map((c) => navItem(c, convTitle(c)))
        : [h("li", { class: "muted empty" }, "none yet")]),
    );
    $("other-dms").replaceChildren(...others.map((c) => navItem(c, convTitle(c))));
  });
  $("other-dms-box").hidden = others.length === 0;
  $("home-link").classList.toggle("active", S.conv === "home");
  $("oncall").replaceChildren(
    ...S.state.oncall.map((o) =>
      h(
        "li",
        {},
        h("span", { class: "muted" }, `${o.rotation}: `),
        o.user
          ? h("button", { type: "button", class: "link", onclick: () => actAs(o.user) }, displayName(o.user))
          : "nobody",
      ),
    ),
  );
}

/** Re-renders without losing the keyboard focus when the focused element is rebuilt. */
function keepFocus(fn) {
  const active = document.activeElement;
  const key = active?.dataset?.fkey ?? (active?.dataset?.conv ? `conv:${active.dataset.conv}` : null);
  // When the pressed button is gone (Acknowledge after acknowledging), focus its message instead.
  const ts = active?.closest?.("[data-ts]")?.dataset.ts;
  fn();
  if (!active || active === document.body || document.contains(active)) return;
  let next = null;
  if (key) {
    next = key.startsWith("conv:")
      ? document.querySelector(`[data-conv="${CSS.escape(key.slice(5))}"]`)
      : document.querySelector(`[data-fkey="${CSS.escape(key)}"]`);
  }
  if (!next && ts) next = document.querySelector(`article[data-ts="${CSS.escape(ts)}"]`);
  next?.focus({ preventScroll: true });
}

/** Message times follow the bot's clock, so a shifted clock reads the same everywhere on the page. */
function tsDate(ts) {
  return new Date(Number(ts) * 1000 + S.clockOffset);
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

function tsTime(ts) {
  return tsDate(ts).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

function avatar(id) {
  if (id === S.meta.bot.id) return h("div", { class: "avatar bot", "aria-hidden": "true" }, "🤖");
  const name = displayName(id);
  return h("div", { class: "avatar", "aria-hidden": "true" }, name.slice(0, 1).toUpperCase());
}

function messageEl(conv, m, { inThread = false } = {}) {
  const surface = `m:${conv.id}:${m.ts}`;
  const ctx = ctxFor(surface, {
    onAction: (where, element, selected) =>
      sendAction({ kind: "message", channel: conv.id, ts: m.ts }, where, element, selected),
  });
  const isBot = m.user === S.meta.bot.id || m.bot;
  const threadEphemerals = (conv.ephemerals ?? []).filter(
    (e) => e.threadTs === m.ts && !S.dismissed.has(e.ts),
  );
  const replyCount = m.replies?.length ?? 0;
  return h(
    "article",
    {
      class: "msg",
      "data-ts": m.ts,
      tabindex: "-1",
      "aria-label": `${displayName(m.user)} at ${tsTime(m.ts)}`,
    },
    avatar(m.user),
    h(
      "div",
      { class: "msg-body" },
      h(
        "div",
        { class: "meta" },
        h("strong", {}, displayName(m.user)),
        isBot ? h("span", { class: "app-tag" }, "APP") : null,
        h("time", { datetime: tsDate(m.ts).toISOString() }, tsTime(m.ts)),
        m.edited ? h("span", { class: "muted edited" }, "(edited)") : null,
        m.broadcast ? h("span", { class: "muted" }, "also sent to the channel") : null,
      ),
      messageContent(m, ctx),
      m.reactions?.length
        ? h(
            "div",
            { class: "reactions" },
            m.reactions.map((r) => h("span", { class: "reaction" }, `:${r.name}: ${r.count}`)),
          )
        : null,
      !inThread && (replyCount > 0 || threadEphemerals.length > 0)
        ? h(
            "button",
            {
              type: "button",
              class: "replies link",
              "data-fkey": `replies:${m.ts}`,
              onclick: () => openThread(conv.id, m.ts),
            },
            plural(replyCount, "reply", "replies"),
          )
        : null,
    ),
  );
}

function messageContent(m, ctx) {
  const parts = [];
  if (m.blocks?.length) parts.push(renderBlocks(m.blocks, ctx));
  else if (m.text) parts.push(h("div", { class: "b-text", html: renderText(m.text, ctx) }));
  for (const a of m.attachments ?? []) {
    parts.push(
      h(
        "div",
        { class: "attachment", style: a.color ? `border-left-color:${cssColor(a.color)}` : null },
        a.title ? h("strong", {}, a.title) : null,
        a.blocks ? renderBlocks(a.blocks, ctx) : null,
        a.text ? h("div", { html: renderText(a.text, ctx) }) : null,
        (a.fields ?? []).map((f) => h("div", {}, h("strong", {}, f.title ?? ""), " ", f.value ?? "")),
      ),
    );
  }
  return h("div", { class: "content" }, parts);
}

function renderText(text, ctx) {
  return renderBlocks([{ type: "section", text: { type: "mrkdwn", text } }], ctx).querySelector(".b-text")
    .innerHTML;
}

function cssColor(c) {
  const named = { good: "#2eb67d", warning: "#ecb22e", danger: "#e01e5a" };
  if (named[c]) return named[c];
  return /^#?[0-9a-f]{3,8}$/i.test(c) ? (c.startsWith("#") ? c : `#${c}`) : "#ccc";
}

function ephemeralEl(e) {
  const surface = `e:${e.ts}`;
  const ctx = ctxFor(surface, {
    onAction: (where, element, selected) =>
      sendAction({ kind: "ephemeral", ts: e.ts }, where, element, selected),
  });
  return h(
    "article",
    { class: "msg ephemeral", "data-ts": e.ts, tabindex: "-1" },
    avatar(S.meta.bot.id),
    h(
      "div",
      { class: "msg-body" },
      h(
        "div",
        { class: "meta" },
        h("strong", {}, S.meta.bot.name),
        h("span", { class: "app-tag" }, "APP"),
        h("time", {}, tsTime(e.ts)),
        h("span", { class: "only-you" }, "👁 Only visible to you"),
        h(
          "button",
          {
            type: "button",
            class: "link dismiss",
            onclick: () => {
              S.dismissed.add(e.ts);
              render();
            },
          },
          "Dismiss",
        ),
      ),
      messageContent({ text: e.text, blocks: e.blocks }, ctx),
    ),
  );
}

/** Keyed update: only messages that changed are rebuilt, and those flash once. */
function syncList(container, items) {
  const existing = new Map([...container.children].map((el) => [el.dataset.key, el]));
  const nearBottom = container.scrollHeight - container.scrollTop - container.clientHeight < 80;
  keepFocus(() => {
    const next = items.map(({ key, sig, build }) => {
      const old = existing.get(key);
      if (old && old.dataset.sig === sig) return old;
      const el = build();
      el.dataset.key = key;
      el.dataset.sig = sig;
      if (old) {
        el.classList.add("flash");
        old.replaceWith(el);
      }
      return el;
    });
    container.replaceChildren(...next);
  });
  if (nearBottom) container.scrollTop = container.scrollHeight;
}

function currentConv() {
  return S.state.conversations.find((c) => c.id === S.conv);
}

function renderMain() {
  const home = S.conv === "home";
  $("messages").hidden = home;
  $("home").hidden = !home;
  $("composer").hidden = home;
  if (home) return renderHome();
  const conv = currentConv();
  if (!conv) {
    $("conv-title").textContent = "Pick a conversation";
    return;
  }
  $("conv-title").textContent = convTitle(conv);
  $("conv-sub").textContent =
    conv.kind === "channel"
      ? channelPurpose(conv.id)
      : conv.mine
        ? "Your direct messages with the bot"
        : "Someone else's direct messages; in Slack only they see these";
  const items = [];
  const visibleEphemerals = (conv.ephemerals ?? []).filter((e) => !e.threadTs && !S.dismissed.has(e.ts));
  const entries = [
    ...conv.messages.map((m) => ({ ts: m.ts, m })),
    ...visibleEphemerals.map((e) => ({ ts: e.ts, e })),
  ].sort((a, b) => Number(a.ts) - Number(b.ts));
  for (const entry of entries) {
    if (entry.m) {
      const m = entry.m;
      const threadEph = (conv.ephemerals ?? []).filter(
        (e) => e.threadTs === m.ts && !S.dismissed.has(e.ts),
      ).length;
      items.push({
        key: `m:${m.ts}`,
        sig: JSON.stringify([m, threadEph, S.as]),
        build: () => messageEl(conv, m),
      });
    } else {
      items.push({
        key: `e:${entry.e.ts}`,
        sig: JSON.stringify([entry.e, S.as]),
        build: () => ephemeralEl(entry.e),
      });
    }
  }
  if (items.length === 0) {
    $("messages").replaceChildren(h("p", { class: "muted empty-conv" }, "Nothing here yet."));
  } else {
    if ($("messages").querySelector(".empty-conv")) $("messages").replaceChildren();
    syncList($("messages"), items);
  }
  const anyPages = S.state.conversations.some((c) => c.kind === "channel" && c.messages.length > 0);
  $("guide").hidden = anyPages;
}

function channelPurpose(id) {
  const rotation = S.meta.rotations.find((r) => r.channel === id);
  if (rotation) return `Pages of the rotation “${rotation.name}”`;
  return "Hand-offs, escalations and pages for this team";
}

function renderHome() {
  $("conv-title").textContent = "Home";
  $("conv-sub").textContent = `The app's Home tab, as ${displayName(S.as)} sees it`;
  $("guide").hidden = true;
  const home = S.state.home;
  const sig = JSON.stringify([home?.hash, home?.view, S.as]);
  if ($("home").dataset.sig === sig) return;
  $("home").dataset.sig = sig;
  if (!home) {
    $("home").replaceChildren(
      h("p", { class: "muted" }, "The app has not published a Home tab for you (yet)."),
    );
    return;
  }
  const ctx = ctxFor(`h:${home.id}`, {
    onAction: (where, element, selected) =>
      sendAction({ kind: "view", viewId: home.id }, where, element, selected, $("home")),
  });
  keepFocus(() => $("home").replaceChildren(renderBlocks(home.view.blocks, ctx)));
  homeElements = ctx.elements;
}

let homeElements = new Map();

function openThread(channel, ts) {
  S.thread = { channel, ts };
  renderThread();
  $("thread").querySelector("button")?.focus();
}

function renderThread() {
  const pane = $("thread");
  if (!S.thread) {
    pane.hidden = true;
    return;
  }
  const conv = S.state.conversations.find((c) => c.id === S.thread.channel);
  const parent = conv?.messages.find((m) => m.ts === S.thread.ts);
  if (!conv || !parent) {
    S.thread = null;
    pane.hidden = true;
    return;
  }
  pane.hidden = false;
  const eph = (conv.ephemerals ?? []).filter((e) => e.threadTs === parent.ts && !S.dismissed.has(e.ts));
  const entries = [
    ...parent.replies.map((m) => ({ ts: m.ts, m })),
    ...eph.map((e) => ({ ts: e.ts, e })),
  ].sort((a, b) => Number(a.ts) - Number(b.ts));
  syncList($("thread-messages"), [
    {
      key: `p:${parent.ts}`,
      sig: JSON.stringify([parent, S.as]),
      build: () => messageEl(conv, parent, { inThread: true }),
    },
    {
      key: "sep",
      sig: String(parent.replies.length),
      build: () => h("div", { class: "thread-sep muted" }, plural(parent.replies.length, "reply", "replies")),
    },
    ...entries.map((x) =>
      x.m
        ? {
            key: `m:${x.m.ts}`,
            sig: JSON.stringify([x.m, S.as]),
            build: () => messageEl(conv, x.m, { inThread: true }),
          }
        : { key: `e:${x.e.ts}`, sig: JSON.stringify([x.e, S.as]), build: () => ephemeralEl(x.e) },
    ),
  ]);
}

// --- modals ---------------------------------------------------------------------------------------

let modalElements = new Map();

function renderModal() {
  const dlg = $("modal");
  const stackTop = topModal();
  if (!stackTop) {
    S.modalHash = null;
    if (dlg.open) dlg.close();
    return;
  }
  if (S.modalHash === stackTop.hash && dlg.open) return;
  const keep = dlg.open ? collectState(dlg, modalElements).values : {};
  S.modalHash = stackTop.hash;
  const view = stackTop.view;
  const ctx = ctxFor(`v:${stackTop.id}`, {
    onAction: (where, element, selected) =>
      sendAction({ kind: "view", viewId: stackTop.id }, where, element, selected, dlg),
    errors: S.modalErrors?.[stackTop.id] ?? {},
  });
  const body = renderBlocks(view.blocks, ctx);
  modalElements = ctx.elements;
  restoreState(body, ctx.elements, keep);
  const form = h(
    "form",
    {
      method: "dialog",
      onsubmit: (event) => {
        event.preventDefault();
        submitModal(stackTop, form);
      },
    },
    h(
      "header",
      {},
      h("h2", { id: "modal-title" }, textPlain(view.title) || "Modal"),
      h(
        "button",
        { type: "button", class: "ghost", "aria-label": "Close", onclick: () => closeModal(stackTop) },
        "✕",
      ),
    ),
    h("div", { class: "modal-body" }, body),
    h(
      "footer",
      {},
      h(
        "button",
        { type: "button", class: "btn", onclick: () => closeModal(stackTop) },
        textPlain(view.close) || "Cancel",
      ),
      view.submit ? h("button", { type: "submit", class: "btn primary" }, textPlain(view.submit)) : null,
    ),
  );
  dlg.replaceChildren(form);
  if (!dlg.open) dlg.showModal();
  const first = dlg.querySelector(
    ".modal-body input, .modal-body textarea, .modal-body select, .modal-body button",
  );
  first?.focus();
}

function topModal() {
  const modals = S.state.modals;
  return modals.length ? modals[modals.length - 1] : null;
}

/** Keeps what the visitor typed when the app updates the modal (Slack does, per block and action id). */
function restoreState(root, elements, values) {
  for (const control of root.querySelectorAll("[data-kind]")) {
    const element = elements.get(control);
    const v = values[control.dataset.block]?.[element?.action_id];
    if (!v) continue;
    if ("value" in v && v.value !== null && "value" in control) control.value = v.value;
  }
}

async function submitModal(view, form) {
  const { values, missing } = collectState(form, modalElements);
  if (missing.length) {
    S.modalErrors = {
      [view.id]: Object.fromEntries(missing.map((b) => [b, "Please complete this required field."])),
    };
    for (const b of missing) {
      const box = form.querySelector(`.b-input[data-block="${CSS.escape(b)}"]`);
      box?.classList.add("has-error");
      const err = box?.querySelector(".b-error");
      if (err) err.textContent = "Please complete this required field.";
    }
    form.querySelector(".has-error input, .has-error textarea, .has-error select")?.focus();
    return;
  }
  const submit = form.querySelector("button[type=submit]");
  const result = await run(
    api.post("/sandbox/api/view-submit", { as: S.as, viewId: view.id, values }),
    submit,
  );
  if (result?.errors) {
    for (const [block, message] of Object.entries(result.errors)) {
      const box = form.querySelector(`.b-input[data-block="${CSS.escape(block)}"]`);
      box?.classList.add("has-error");
      const err = box?.querySelector(".b-error");
      if (err) err.textContent = message;
    }
  }
  refresh();
}

async function closeModal(view) {
  await run(api.post("/sandbox/api/view-close", { as: S.as, viewId: view.id }));
  refresh();
}

// --- acting -----------------------------------------------------------------------------------------

async function sendAction(surface, where, element, selected, stateRoot) {
  const elements = stateRoot === $("modal") ? modalElements : homeElements;
  const values = stateRoot ? collectState(stateRoot, elements).values : undefined;
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

function surfaceKey(surface) {
  if (surface.kind === "message") return `m:${surface.channel}:${surface.ts}`;
  if (surface.kind === "ephemeral") return `e:${surface.ts}`;
  return surface.viewId === S.state?.home?.id ? `h:${surface.viewId}` : `v:${surface.viewId}`;
}

function selectConv(id, focus = true) {
  S.conv = id;
  if (id !== "home") S.thread = S.thread?.channel === id ? S.thread : null;
  saveLocation();
  $("messages").replaceChildren();
  $("home").dataset.sig = "";
  if (id === "home") openHome();
  render();
  if (focus) (id === "home" ? $("home") : $("messages")).focus({ preventScroll: true });
  if (id !== "home") $("messages").scrollTop = $("messages").scrollHeight;
}

async function openHome() {
  await run(api.post("/sandbox/api/home-open", { as: S.as }));
}

function actAs(id) {
  if (!user(id)) return;
  S.as = id;
  S.dismissed.clear();
  S.modalHash = null;
  saveLocation();
  $("messages").replaceChildren();
  $("home").dataset.sig = "";
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
  const input = $("command");
  const text = input.value.trim();
  if (!text) return;
  if (!text.startsWith("/")) {
    toast("Only slash commands reach the bot here, e.g. /oncall who", "warn");
    return;
  }
  const conv = S.conv === "home" ? null : S.conv;
  if (!conv) return;
  S.history.push(text);
  S.historyAt = S.history.length;
  input.value = "";
  const result = await run(api.post("/sandbox/api/command", { as: S.as, channel: conv, text }), input);
  if (!result) input.value = text;
}

function commandKeys(event) {
  const input = $("command");
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

function fillExample() {
  const ex = S.meta.examples.find((e) => e.id === $("fire-example").value);
  if (!ex) return;
  $("fire-labels").value = labelsText(ex.labels);
  $("fire-summary").value = ex.annotations.summary ?? "";
}

function openFire() {
  $("fire-dialog").showModal();
  $("fire-example").focus();
}

async function fire(event) {
  event.preventDefault();
  let labels;
  try {
    labels = parseLabels($("fire-labels").value);
  } catch (err) {
    toast(err.message, "error");
    return;
  }
  const ex = S.meta.examples.find((e) => e.id === $("fire-example").value);
  const annotations = { ...(ex?.annotations ?? {}), summary: $("fire-summary").value };
  const status = document.querySelector("input[name=fire-status]:checked")?.value ?? "firing";
  S.jumpAfterFire = status === "firing";
  const result = await run(api.post("/sandbox/api/fire", { labels, annotations, status }), $("fire-submit"));
  if (result && result.status < 300) {
    $("fire-dialog").close();
    toast(status === "firing" ? `Fired ${labels.alertname}` : `Sent “resolved” for ${labels.alertname}`);
  }
}

async function storm() {
  S.jumpAfterFire = true;
  const result = await run(api.post("/sandbox/api/storm"), $("storm-btn"));
  if (result) toast(`Fired ${result.fired} alerts at once`);
}

// --- clock --------------------------------------------------------------------------------------------

function openClock() {
  const now = new Date(Date.now() + S.clockOffset);
  $("clock-at").value = new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  $("clock-dialog").showModal();
}

async function setClock(at) {
  const result = await run(api.post("/sandbox/api/clock", { at }));
  if (result) {
    $("clock-dialog").close();
    refresh();
  }
}

// --- start --------------------------------------------------------------------------------------------

function globalKeys(event) {
  const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement?.tagName ?? "");
  if (document.querySelector("dialog[open]")) return;
  if (event.key === "Escape" && S.thread) {
    S.thread = null;
    renderThread();
    return;
  }
  if (typing || event.ctrlKey || event.metaKey) return;
  if (event.key === "/" && !event.altKey) {
    event.preventDefault();
    $("command").focus();
  } else if (event.key === "f" && !event.altKey) {
    event.preventDefault();
    openFire();
  } else if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
    const ids = [...document.querySelectorAll("#sidebar [data-conv]")].map((b) => b.dataset.conv);
    const i = ids.indexOf(S.conv);
    const next = ids[(i + (event.key === "ArrowDown" ? 1 : -1) + ids.length) % ids.length];
    if (next) selectConv(next);
    event.preventDefault();
  }
}

async function start() {
  S.meta = await api.get("/sandbox/api/meta");
  const params = new URLSearchParams(location.search);
  const ids = S.meta.users.map((u) => u.id);
  const wanted = params.get("as") ?? localStorage.getItem("sandbox.as");
  const oncallUser = S.meta.oncall.find((o) => o.user)?.user;
  S.as = ids.includes(wanted) ? wanted : (oncallUser ?? ids[0]);
  S.conv = params.get("c") ?? S.meta.rotations[0]?.channel ?? null;

  const select = $("as");
  const groups = new Map();
  for (const u of S.meta.users) {
    const group = u.teams[0] ?? (u.adminOf.length ? "Admins" : "Others");
    if (!groups.has(group)) groups.set(group, h("optgroup", { label: group }));
    groups.get(group).append(h("option", { value: u.id }, u.realName));
  }
  select.replaceChildren(...groups.values());
  select.addEventListener("change", () => actAs(select.value));

  $("fire-example").replaceChildren(...S.meta.examples.map((e) => h("option", { value: e.id }, e.title)));
  $("fire-example").addEventListener("change", fillExample);
  fillExample();
  $("command-hints").replaceChildren(
    ...S.meta.commands.flatMap((c) => [
      ...c.subcommands.map((s) => h("option", { value: s.example }, `${s.usage} — ${s.summary}`)),
      h("option", { value: `${c.command} help` }, `${c.command} help — what ${c.command} can do`),
    ]),
  );

  $("home-link").addEventListener("click", () => selectConv("home"));
  $("fire-btn").addEventListener("click", openFire);
  $("fire-form").addEventListener("submit", fire);
  $("fire-cancel").addEventListener("click", () => $("fire-dialog").close());
  $("storm-btn").addEventListener("click", storm);
  $("composer").addEventListener("submit", sendCommand);
  $("command").addEventListener("keydown", commandKeys);
  $("thread-close").addEventListener("click", () => {
    S.thread = null;
    renderThread();
  });
  $("clock-btn").addEventListener("click", openClock);
  $("clock-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const v = $("clock-at").value;
    if (v) setClock(new Date(v).toISOString());
  });
  $("clock-real").addEventListener("click", () => setClock(null));
  $("clock-cancel").addEventListener("click", () => $("clock-dialog").close());
  $("modal").addEventListener("cancel", (event) => {
    event.preventDefault();
    const view = topModal();
    if (view) closeModal(view);
  });
  document.addEventListener("click", (event) => {
    const link = event.target.closest?.("a.channel-link");
    if (link) {
      event.preventDefault();
      selectConv(link.dataset.channel);
    }
  });
  document.addEventListener("keydown", globalKeys);
  setInterval(renderClock, 15_000);

  saveLocation();
  await refresh();
  if (S.conv === "home") openHome();
  listen();
  document.body.dataset.ready = "true";
}

start().catch((err) => {
  document.body.prepend(h("p", { class: "toast error" }, `The sandbox page failed to start: ${err.message}`));
});
