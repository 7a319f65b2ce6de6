// Block Kit and mrkdwn for the sandbox page: turns what the bot sent Slack into DOM, close
// enough to Slack's rendering to judge a message by. Interactive elements call back into the
// page (ctx.onAction) with where they sit, so the page can send Slack's block_actions.

const EMOJI = {
  "+1": "👍",
  "-1": "👎",
  arrow_right: "➡️",
  bell: "🔔",
  black_circle: "⚫",
  book: "📖",
  bust_in_silhouette: "👤",
  busts_in_silhouette: "👥",
  calendar: "📅",
  chart_with_upwards_trend: "📈",
  clock3: "🕒",
  construction: "🚧",
  eyes: "👀",
  fire: "🔥",
  hammer_and_wrench: "🛠️",
  hand: "✋",
  handshake: "🤝",
  heavy_check_mark: "✔️",
  hourglass: "⌛",
  information_source: "ℹ️",
  large_blue_circle: "🔵",
  large_green_circle: "🟢",
  large_orange_circle: "🟠",
  large_yellow_circle: "🟡",
  mag: "🔍",
  memo: "📝",
  mute: "🔇",
  no_bell: "🔕",
  pager: "📟",
  point_right: "👉",
  red_circle: "🔴",
  repeat: "🔁",
  robot_face: "🤖",
  rocket: "🚀",
  rotating_light: "🚨",
  siren: "🚨",
  sos: "🆘",
  speech_balloon: "💬",
  stopwatch: "⏱️",
  tada: "🎉",
  thumbsdown: "👎",
  thumbsup: "👍",
  warning: "⚠️",
  white_check_mark: "✅",
  white_circle: "⚪",
  wrench: "🔧",
  x: "❌",
  zzz: "💤",
};

export function esc(text) {
  return String(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** Slack escapes &, < and > in message text; undo it before escaping for HTML. */
function unslack(text) {
  return text.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
}

export function emoji(text) {
  return text.replace(/:([a-z0-9_+-]+):/g, (all, name) => EMOJI[name] ?? all);
}

function safeUrl(url) {
  return /^(https?:|mailto:)/i.test(url) ? url : null;
}

/** One `<…>` token of Slack's mrkdwn: mentions, channels, dates, special mentions, links. */
function token(inner, ctx) {
  const [target, label] = splitOnce(inner, "|");
  if (target.startsWith("@")) {
    const id = target.slice(1);
    const name = ctx.userName(id) ?? label ?? id;
    const me = id === ctx.me ? " me" : "";
    return `<span class="mention${me}" data-user="${esc(id)}">@${esc(name)}</span>`;
  }
  if (target.startsWith("#")) {
    const id = target.slice(1);
    const name = ctx.channelName(id) ?? label ?? id;
    return `<a class="channel-link" href="#" data-channel="${esc(id)}">#${esc(name)}</a>`;
  }
  if (target.startsWith("!date^")) return esc(label ?? target);
  if (target.startsWith("!subteam^")) return `<span class="mention">${esc(label ?? "@group")}</span>`;
  if (target.startsWith("!")) return `<span class="mention">@${esc(target.slice(1))}</span>`;
  const url = safeUrl(target);
  if (url) {
    return `<a href="${esc(url)}" target="_blank" rel="noopener noreferrer">${esc(label ?? target)}</a>`;
  }
  return esc(`<${inner}>`);
}

function splitOnce(text, sep) {
  const i = text.indexOf(sep);
  return i < 0 ? [text, undefined] : [text.slice(0, i), text.slice(i + 1)];
}

/** Slack's mrkdwn as HTML: *bold*, _italic_, ~strike~, `code`, ```blocks```, > quotes, tokens. */
export function mrkdwn(text, ctx) {
  const slots = [];
  const keep = (html) => `\u0000${slots.push(html) - 1}\u0001`;
  let s = String(text ?? "");
  s = s.replace(/```([\s\S]*?)```/g, (_, code) => keep(`<pre>${esc(unslack(code))}</pre>`));
  s = s.replace(/`([^`\n]+)`/g, (_, code) => keep(`<code>${esc(unslack(code))}</code>`));
  s = s.replace(/<([^<>\n]+)>/g, (_, inner) => keep(token(inner, ctx)));
  s = esc(unslack(s));
  s = s.replace(/(^|[^\w*])\*(?!\s)([^*\n]+?)\*(?!\w)/g, "$1<strong>$2</strong>");
  s = s.replace(/(^|[^\w_])_(?!\s)([^_\n]+?)_(?!\w)/g, "$1<em>$2</em>");
  s = s.replace(/(^|[^\w~])~(?!\s)([^~\n]+?)~(?!\w)/g, "$1<del>$2</del>");
  s = s.replace(/^&gt; ?(.*)$/gm, '<span class="quote">$1</span>');
  s = emoji(s);
  s = s.replace(/\n/g, "<br>");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the placeholders are control characters on purpose
  return s.replace(/\u0000(\d+)\u0001/g, (_, i) => slots[Number(i)]);
}

/** A text object (plain_text or mrkdwn) as HTML. */
export function textHtml(t, ctx) {
  if (!t) return "";
  if (typeof t === "string") return mrkdwn(t, ctx);
  if (t.type === "mrkdwn") return mrkdwn(t.text, ctx);
  return emoji(esc(t.text ?? "")).replace(/\n/g, "<br>");
}

/** Plain text of a text object, for labels and option text. */
export function textPlain(t) {
  if (!t) return "";
  return emoji(typeof t === "string" ? t : String(t.text ?? ""));
}

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "html") el.innerHTML = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/**
 * Renders blocks. ctx: { me, userName(id), channelName(id), users, channels, surface (a key
 * for focus), onAction(where, element, selected), modal (true inside a modal: inputs collect
 * state instead of sending), errors ({block_id: message}) }.
 */
export function renderBlocks(blocks, ctx) {
  const wrap = h("div", { class: "blocks" });
  (blocks ?? []).forEach((block, i) => {
    wrap.append(renderBlock(block, i, ctx));
  });
  return wrap;
}

function blockIdOf(block, i) {
  return typeof block.block_id === "string" ? block.block_id : `sandbox-block-${i}`;
}

function renderBlock(block, i, ctx) {
  switch (block.type) {
    case "header":
      return h("h3", { class: "b-header", html: textHtml(block.text, ctx) });
    case "section": {
      const main = h("div", { class: "b-section-main" });
      if (block.text) main.append(h("div", { class: "b-text", html: textHtml(block.text, ctx) }));
      if (Array.isArray(block.fields)) {
        main.append(
          h(
            "div",
            { class: "b-fields" },
            block.fields.map((f) => h("div", { class: "b-field", html: textHtml(f, ctx) })),
          ),
        );
      }
      const accessory = block.accessory
        ? h(
            "div",
            { class: "b-accessory" },
            renderElement(block.accessory, { block, i, path: "accessory" }, ctx),
          )
        : null;
      return h("div", { class: "b-section" }, main, accessory);
    }
    case "context":
      return h(
        "div",
        { class: "b-context" },
        (block.elements ?? []).map((e) =>
          e.type === "image"
            ? h("span", { class: "b-img-alt", title: e.image_url ?? "" }, `🖼 ${e.alt_text ?? "image"}`)
            : h("span", { html: textHtml(e, ctx) }),
        ),
      );
    case "divider":
      return h("hr", { class: "b-divider" });
    case "actions":
      return h(
        "div",
        { class: "b-actions", role: "group" },
        (block.elements ?? []).map((e, j) => renderElement(e, { block, i, path: j }, ctx)),
      );
    case "image": {
      const url = safeUrl(block.image_url ?? "");
      const label = `🖼 ${textPlain(block.title) || block.alt_text || "image"}`;
      return h(
        "div",
        { class: "b-image" },
        url ? h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, label) : label,
      );
    }
    case "input":
      return renderInput(block, i, ctx);
    case "rich_text":
      return h(
        "div",
        { class: "b-rich" },
        (block.elements ?? []).map((e) => richElement(e, ctx)),
      );
    default:
      return h("div", { class: "b-unknown" }, `[${block.type ?? "unknown"} block]`);
  }
}

function richElement(e, ctx) {
  const inline = (els) => (els ?? []).map((x) => richInline(x, ctx));
  switch (e.type) {
    case "rich_text_section":
      return h("div", {}, inline(e.elements));
    case "rich_text_preformatted":
      return h("pre", {}, inline(e.elements));
    case "rich_text_quote":
      return h("div", { class: "quote" }, inline(e.elements));
    case "rich_text_list": {
      const tag = e.style === "ordered" ? "ol" : "ul";
      return h(
        tag,
        {},
        (e.elements ?? []).map((item) => h("li", {}, richElement(item, ctx))),
      );
    }
    default:
      return h("span", {}, "");
  }
}

function richInline(x, ctx) {
  let node;
  switch (x.type) {
    case "text":
      node = h("span", {}, x.text ?? "");
      break;
    case "link":
      node = safeUrl(x.url ?? "")
        ? h("a", { href: x.url, target: "_blank", rel: "noopener noreferrer" }, x.text ?? x.url)
        : h("span", {}, x.text ?? "");
      break;
    case "user":
      node = h("span", { class: "mention" }, `@${ctx.userName(x.user_id) ?? x.user_id}`);
      break;
    case "channel":
      node = h("span", {}, `#${ctx.channelName(x.channel_id) ?? x.channel_id}`);
      break;
    case "emoji":
      node = h("span", {}, x.unicode ? String.fromCodePoint(Number.parseInt(x.unicode, 16)) : `:${x.name}:`);
      break;
    default:
      node = h("span", {}, x.text ?? "");
  }
  const style = x.style ?? {};
  if (style.code) node = h("code", {}, node);
  if (style.bold) node = h("strong", {}, node);
  if (style.italic) node = h("em", {}, node);
  if (style.strike) node = h("del", {}, node);
  return node;
}

function optionsOf(element) {
  const flat = element.options ?? [];
  const groups = (element.option_groups ?? []).flatMap((g) => g.options ?? []);
  return [...flat, ...groups];
}

function focusKey(ctx, where) {
  return `${ctx.surface}|${where.i}|${where.path}`;
}

/** An interactive element. In a modal's input block it only holds state; elsewhere it acts. */
function renderElement(element, where, ctx, opts = {}) {
  const acts = !opts.stateOnly;
  const fire = (selected) => ctx.onAction(where, element, selected);
  const key = focusKey(ctx, where);
  const common = {
    "data-fkey": key,
    "data-block": blockIdOf(where.block, where.i),
    "data-action": element.action_id ?? "",
  };
  switch (element.type) {
    case "button": {
      const style = element.style === "primary" || element.style === "danger" ? ` ${element.style}` : "";
      const btn = h(
        "button",
        { type: "button", class: `btn${style}`, ...common },
        h("span", { html: emoji(esc(textPlain(element.text))) }),
      );
      btn.addEventListener("click", async () => {
        if (element.confirm && !(await ctx.confirm(element.confirm))) return;
        const url = safeUrl(element.url ?? "");
        if (url) window.open(url, "_blank", "noopener");
        fire(undefined);
      });
      return btn;
    }
    case "static_select":
    case "external_select":
    case "overflow":
    case "users_select":
    case "conversations_select":
    case "channels_select":
    case "multi_static_select":
    case "multi_users_select":
    case "multi_conversations_select":
    case "multi_channels_select": {
      const multi = element.type.startsWith("multi_");
      const select = h("select", {
        class: `select${element.type === "overflow" ? " overflow" : ""}`,
        multiple: multi,
        "aria-label": textPlain(element.placeholder) || element.action_id || "choose",
        ...common,
      });
      const placeholder = element.type === "overflow" ? "⋯" : textPlain(element.placeholder) || "Choose…";
      if (!multi) select.append(h("option", { value: "" }, placeholder));
      const initial = initialValues(element);
      for (const [value, label] of choicesOf(element, ctx)) {
        select.append(h("option", { value, selected: initial.includes(value) }, label));
      }
      select.dataset.kind = element.type;
      ctx.elements.set(select, element);
      if (acts) {
        select.addEventListener("change", async () => {
          const chosen = [...select.selectedOptions].map((o) => o.value).filter((v) => v !== "");
          if (element.type === "overflow") select.value = "";
          if (element.confirm && !(await ctx.confirm(element.confirm))) return;
          fire(multi ? chosen : chosen[0]);
        });
      }
      return select;
    }
    case "checkboxes":
    case "radio_buttons": {
      const type = element.type === "checkboxes" ? "checkbox" : "radio";
      const name = `${key}-${Math.random().toString(36).slice(2)}`;
      const initial = initialValues(element);
      const box = h("div", { class: "choices", role: type === "radio" ? "radiogroup" : "group", ...common });
      box.dataset.kind = element.type;
      ctx.elements.set(box, element);
      for (const o of element.options ?? []) {
        const input = h("input", { type, name, value: o.value, checked: initial.includes(o.value) });
        if (acts) {
          input.addEventListener("change", () => {
            const chosen = [...box.querySelectorAll("input:checked")].map((x) => x.value);
            fire(type === "checkbox" ? chosen : chosen[0]);
          });
        }
        box.append(
          h(
            "label",
            { class: "choice" },
            input,
            h("span", { html: textHtml(o.text, ctx) }),
            o.description ? h("small", { html: textHtml(o.description, ctx) }) : null,
          ),
        );
      }
      return box;
    }
    case "plain_text_input":
    case "number_input":
    case "email_text_input":
    case "url_text_input":
    case "datepicker":
    case "timepicker":
    case "datetimepicker": {
      const inputType = {
        number_input: "number",
        email_text_input: "email",
        url_text_input: "url",
        datepicker: "date",
        timepicker: "time",
        datetimepicker: "datetime-local",
      }[element.type];
      const attrs = {
        class: "text-input",
        placeholder: textPlain(element.placeholder),
        maxlength: element.max_length,
        minlength: element.min_length,
        ...common,
      };
      const initial =
        element.initial_value ?? element.initial_date ?? element.initial_time ?? initialDateTime(element);
      const input = element.multiline
        ? h("textarea", { ...attrs, rows: 4 }, initial ?? "")
        : h("input", { ...attrs, type: inputType ?? "text", value: initial ?? "" });
      input.dataset.kind = element.type;
      ctx.elements.set(input, element);
      if (acts && element.type !== "plain_text_input") {
        input.addEventListener("change", () => fire(input.value));
      }
      return input;
    }
    case "image":
      return h("span", { class: "b-img-alt" }, `🖼 ${element.alt_text ?? "image"}`);
    default:
      return h("span", { class: "b-unknown" }, `[${element.type}]`);
  }
}

function initialDateTime(element) {
  if (typeof element.initial_date_time !== "number") return undefined;
  const d = new Date(element.initial_date_time * 1000);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

function initialValues(element) {
  const out = [];
  if (element.initial_option) out.push(element.initial_option.value);
  for (const o of element.initial_options ?? []) out.push(o.value);
  for (const k of ["initial_user", "initial_conversation", "initial_channel"]) {
    if (typeof element[k] === "string") out.push(element[k]);
  }
  for (const k of ["initial_users", "initial_conversations", "initial_channels"]) {
    for (const v of element[k] ?? []) out.push(v);
  }
  return out;
}

function choicesOf(element, ctx) {
  if (element.type.includes("users_select"))
    return ctx.users.map((u) => [u.id, `${u.realName} (@${u.name})`]);
  if (element.type.includes("conversations_select") || element.type.includes("channels_select")) {
    return ctx.channels.map((c) => [c.id, `#${c.name}`]);
  }
  return optionsOf(element).map((o) => [o.value, textPlain(o.text)]);
}

function renderInput(block, i, ctx) {
  const id = `in-${ctx.surface}-${i}`;
  const element = block.element ?? {};
  const control = renderElement(element, { block, i, path: "element" }, ctx, {
    stateOnly: block.dispatch_action !== true,
  });
  control.id = id;
  const error = ctx.errors?.[blockIdOf(block, i)];
  const required = block.optional !== true;
  if (required) control.dataset.required = "true";
  return h(
    "div",
    { class: `b-input${error ? " has-error" : ""}`, "data-block": blockIdOf(block, i) },
    h(
      "label",
      { for: id, class: "b-label" },
      textPlain(block.label),
      block.optional ? h("span", { class: "optional" }, " (optional)") : null,
    ),
    control,
    block.hint ? h("div", { class: "b-hint", html: textHtml(block.hint, ctx) }) : null,
    h("div", { class: "b-error", role: "alert" }, error ?? ""),
  );
}

/**
 * view.state.values for a rendered surface, as Slack would send it: block_id -> action_id ->
 * the element's value object. Also says which required inputs are empty.
 */
export function collectState(root, elements) {
  const values = {};
  const missing = [];
  for (const control of root.querySelectorAll("[data-kind]")) {
    const element = elements.get(control);
    if (!element) continue;
    const blockId = control.dataset.block;
    const actionId = element.action_id ?? `sandbox-action-${blockId}`;
    const value = stateValue(control, element);
    values[blockId] ??= {};
    values[blockId][actionId] = value;
    if (control.dataset.required === "true" && isEmpty(value)) missing.push(blockId);
  }
  return { values, missing };
}

function isEmpty(v) {
  const keys = Object.keys(v).filter((k) => k !== "type");
  return keys.every((k) => v[k] === null || v[k] === "" || (Array.isArray(v[k]) && v[k].length === 0));
}

function stateValue(control, element) {
  const type = element.type;
  const pick = (value) => optionsOf(element).find((o) => o.value === value) ?? null;
  if (control.tagName === "SELECT") {
    const chosen = [...control.selectedOptions].map((o) => o.value).filter((v) => v !== "");
    switch (type) {
      case "users_select":
        return { type, selected_user: chosen[0] ?? null };
      case "multi_users_select":
        return { type, selected_users: chosen };
      case "conversations_select":
        return { type, selected_conversation: chosen[0] ?? null };
      case "multi_conversations_select":
        return { type, selected_conversations: chosen };
      case "channels_select":
        return { type, selected_channel: chosen[0] ?? null };
      case "multi_channels_select":
        return { type, selected_channels: chosen };
      case "multi_static_select":
        return { type, selected_options: chosen.map(pick).filter(Boolean) };
      default:
        return { type, selected_option: chosen[0] ? pick(chosen[0]) : null };
    }
  }
  if (type === "checkboxes" || type === "radio_buttons") {
    const chosen = [...control.querySelectorAll("input:checked")].map((x) => x.value);
    return type === "checkboxes"
      ? { type, selected_options: chosen.map(pick).filter(Boolean) }
      : { type, selected_option: chosen[0] ? pick(chosen[0]) : null };
  }
  const raw = control.value;
  switch (type) {
    case "datepicker":
      return { type, selected_date: raw || null };
    case "timepicker":
      return { type, selected_time: raw || null };
    case "datetimepicker":
      return { type, selected_date_time: raw ? Math.floor(new Date(raw).getTime() / 1000) : null };
    default:
      return { type, value: raw === "" ? null : raw };
  }
}
