// Block Kit and mrkdwn for the sandbox page as preact components: what the bot sent Slack, close
// enough to Slack's rendering to judge a message by. Interactive elements call back into the page
// (ctx.onAction) with where they sit, so the page can send Slack's block_actions. Inputs are left
// uncontrolled: what a visitor types survives the app's updates of a view, as in Slack.

import htm from "htm";
import { h } from "preact";

export const html = htm.bind(h);

/** Slack's shortcodes → characters; filled once from /sandbox/emoji.json (emojibase-data). */
let EMOJI = {};

export function setEmoji(table) {
  EMOJI = table ?? {};
}

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
  return text.replace(/:([a-z0-9_+'-]+):/g, (all, name) => EMOJI[name] ?? all);
}

export function safeUrl(url) {
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
  const keep = (markup) => `\u0000${slots.push(markup) - 1}\u0001`;
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

/** Markup made here from escaped text (mrkdwn, text objects). */
export function Markup({ tag = "div", class: cls, markup }) {
  return h(tag, { class: cls, dangerouslySetInnerHTML: { __html: markup } });
}

/** Sets an uncontrolled input's first value once; later renders leave what the visitor typed. */
export function initially(apply) {
  return (el) => {
    if (el && !el.sandboxInit) {
      el.sandboxInit = true;
      apply(el);
    }
  };
}

/**
 * Blocks. ctx: { me, userName(id), channelName(id), users, channels, surface (a key for focus),
 * onAction(where, element, selected), confirm(confirm) → Promise<boolean>, errors ({block_id: message}) }.
 */
export function Blocks({ blocks, ctx }) {
  return html`<div class="blocks">
    ${(blocks ?? []).map(
      (block, i) =>
        html`<${Block} key=${`${block.block_id ?? i}:${block.type}`} block=${block} i=${i} ctx=${ctx} />`,
    )}
  </div>`;
}

function blockIdOf(block, i) {
  return typeof block.block_id === "string" ? block.block_id : `sandbox-block-${i}`;
}

function Block({ block, i, ctx }) {
  switch (block.type) {
    case "header":
      return html`<${Markup} tag="h3" class="b-header" markup=${textHtml(block.text, ctx)} />`;
    case "section":
      return html`<div class="b-section">
        <div class="b-section-main">
          ${block.text ? html`<${Markup} class="b-text" markup=${textHtml(block.text, ctx)} />` : null}
          ${
            Array.isArray(block.fields)
              ? html`<div class="b-fields">
                ${block.fields.map((f) => html`<${Markup} class="b-field" markup=${textHtml(f, ctx)} />`)}
              </div>`
              : null
          }
        </div>
        ${
          block.accessory
            ? html`<div class="b-accessory">
              <${Element} element=${block.accessory} where=${{ block, i, path: "accessory" }} ctx=${ctx} />
            </div>`
            : null
        }
      </div>`;
    case "context":
      return html`<div class="b-context">
        ${(block.elements ?? []).map((e) =>
          e.type === "image"
            ? html`<span class="b-img-alt" title=${e.image_url ?? ""}>🖼 ${e.alt_text ?? "image"}</span>`
            : html`<${Markup} tag="span" markup=${textHtml(e, ctx)} />`,
        )}
      </div>`;
    case "divider":
      return html`<hr class="b-divider" />`;
    case "actions":
      return html`<div class="b-actions" role="group">
        ${(block.elements ?? []).map(
          (e, j) =>
            html`<${Element} key=${e.action_id ?? j} element=${e} where=${{ block, i, path: j }} ctx=${ctx} />`,
        )}
      </div>`;
    case "image": {
      const url = safeUrl(block.image_url ?? "");
      const label = `🖼 ${textPlain(block.title) || block.alt_text || "image"}`;
      return html`<div class="b-image">
        ${url ? html`<a href=${url} target="_blank" rel="noopener noreferrer">${label}</a>` : label}
      </div>`;
    }
    case "input":
      return html`<${Input} block=${block} i=${i} ctx=${ctx} />`;
    case "rich_text":
      return html`<div class="b-rich">${(block.elements ?? []).map((e) => richElement(e, ctx))}</div>`;
    default:
      return html`<div class="b-unknown">[${block.type ?? "unknown"} block]</div>`;
  }
}

function richElement(e, ctx) {
  const inline = (els) => (els ?? []).map((x) => richInline(x, ctx));
  switch (e.type) {
    case "rich_text_section":
      return html`<div>${inline(e.elements)}</div>`;
    case "rich_text_preformatted":
      return html`<pre>${inline(e.elements)}</pre>`;
    case "rich_text_quote":
      return html`<div class="quote">${inline(e.elements)}</div>`;
    case "rich_text_list": {
      const items = (e.elements ?? []).map((item) => html`<li>${richElement(item, ctx)}</li>`);
      return e.style === "ordered" ? html`<ol>${items}</ol>` : html`<ul>${items}</ul>`;
    }
    default:
      return html`<span></span>`;
  }
}

function richInline(x, ctx) {
  let node;
  switch (x.type) {
    case "link":
      node = safeUrl(x.url ?? "")
        ? html`<a href=${x.url} target="_blank" rel="noopener noreferrer">${x.text ?? x.url}</a>`
        : html`<span>${x.text ?? ""}</span>`;
      break;
    case "user":
      node = html`<span class="mention">@${ctx.userName(x.user_id) ?? x.user_id}</span>`;
      break;
    case "channel":
      node = html`<span>#${ctx.channelName(x.channel_id) ?? x.channel_id}</span>`;
      break;
    case "emoji":
      node = html`<span>
        ${
          x.unicode
            ? String.fromCodePoint(
                ...String(x.unicode)
                  .split("-")
                  .map((c) => Number.parseInt(c, 16)),
              )
            : emoji(`:${x.name}:`)
        }
      </span>`;
      break;
    default:
      node = html`<span>${x.text ?? ""}</span>`;
  }
  const style = x.style ?? {};
  if (style.code) node = html`<code>${node}</code>`;
  if (style.bold) node = html`<strong>${node}</strong>`;
  if (style.italic) node = html`<em>${node}</em>`;
  if (style.strike) node = html`<del>${node}</del>`;
  return node;
}

function optionsOf(element) {
  const flat = element.options ?? [];
  const groups = (element.option_groups ?? []).flatMap((g) => g.options ?? []);
  return [...flat, ...groups];
}

/** The element a control stands for, found again from its place: block index and path. */
function elementAt(blocks, i, path) {
  const block = blocks?.[Number(i)];
  if (!block) return undefined;
  if (path === "accessory") return block.accessory;
  if (path === "element") return block.element;
  return block.elements?.[Number(path)];
}

const SELECTS = new Set([
  "static_select",
  "external_select",
  "overflow",
  "users_select",
  "conversations_select",
  "channels_select",
  "multi_static_select",
  "multi_users_select",
  "multi_conversations_select",
  "multi_channels_select",
]);
const TEXT_INPUTS = {
  plain_text_input: "text",
  number_input: "number",
  email_text_input: "email",
  url_text_input: "url",
  datepicker: "date",
  timepicker: "time",
  datetimepicker: "datetime-local",
};

/** An interactive element. In a modal's input block it only holds state; elsewhere it acts. */
function Element({ element, where, ctx, stateOnly = false, id, required = false }) {
  const acts = !stateOnly;
  const fire = (selected) => ctx.onAction(where, element, selected);
  const key = `${ctx.surface}|${where.i}|${where.path}`;
  const common = {
    id,
    "data-fkey": key,
    "data-block": blockIdOf(where.block, where.i),
    "data-action": element.action_id ?? "",
    "data-i": where.i,
    "data-path": where.path,
    "data-kind": element.type,
    "data-required": required ? "true" : undefined,
  };
  const type = element.type;
  if (type === "button") {
    const style = element.style === "primary" || element.style === "danger" ? ` ${element.style}` : "";
    const press = async () => {
      if (element.confirm && !(await ctx.confirm(element.confirm))) return;
      const url = safeUrl(element.url ?? "");
      if (url) window.open(url, "_blank", "noopener");
      fire(undefined);
    };
    return html`<button type="button" class=${`btn${style}`} ...${common} data-kind=${undefined} onClick=${press}>
      <span>${textPlain(element.text)}</span>
    </button>`;
  }
  if (SELECTS.has(type)) {
    const multi = type.startsWith("multi_");
    const placeholder = type === "overflow" ? "⋯" : textPlain(element.placeholder) || "Choose…";
    const initial = initialValues(element);
    const change = async (event) => {
      const select = event.currentTarget;
      const chosen = [...select.selectedOptions].map((o) => o.value).filter((v) => v !== "");
      if (type === "overflow") select.value = "";
      if (!acts) return;
      if (element.confirm && !(await ctx.confirm(element.confirm))) return;
      fire(multi ? chosen : chosen[0]);
    };
    return html`<select
      class=${`select${type === "overflow" ? " overflow" : ""}`}
      multiple=${multi}
      aria-label=${textPlain(element.placeholder) || element.action_id || "choose"}
      ...${common}
      onChange=${change}
    >
      ${multi ? null : html`<option value="">${placeholder}</option>`}
      ${choicesOf(element, ctx).map(
        ([value, label]) =>
          html`<option key=${value} value=${value} selected=${initial.includes(value)}>${label}</option>`,
      )}
    </select>`;
  }
  if (type === "checkboxes" || type === "radio_buttons") {
    const inputType = type === "checkboxes" ? "checkbox" : "radio";
    const initial = initialValues(element);
    const change = (event) => {
      if (!acts) return;
      const box = event.currentTarget.closest("[data-kind]");
      const chosen = [...box.querySelectorAll("input:checked")].map((x) => x.value);
      fire(inputType === "checkbox" ? chosen : chosen[0]);
    };
    return html`<div class="choices" role=${inputType === "radio" ? "radiogroup" : "group"} ...${common}>
      ${(element.options ?? []).map(
        (o) => html`<label class="choice" key=${o.value}>
          <input
            type=${inputType}
            name=${key}
            value=${o.value}
            ref=${initially((el) => {
              el.checked = initial.includes(o.value);
            })}
            onChange=${change}
          />
          <${Markup} tag="span" markup=${textHtml(o.text, ctx)} />
          ${o.description ? html`<${Markup} tag="small" markup=${textHtml(o.description, ctx)} />` : null}
        </label>`,
      )}
    </div>`;
  }
  if (type in TEXT_INPUTS) {
    const initial =
      element.initial_value ?? element.initial_date ?? element.initial_time ?? initialDateTime(element) ?? "";
    const attrs = {
      class: "text-input",
      placeholder: textPlain(element.placeholder),
      maxlength: element.max_length,
      minlength: element.min_length,
      ...common,
      ref: initially((el) => {
        el.value = initial;
      }),
      onChange: acts && type !== "plain_text_input" ? (event) => fire(event.currentTarget.value) : undefined,
    };
    return element.multiline
      ? html`<textarea rows="4" ...${attrs}></textarea>`
      : html`<input type=${TEXT_INPUTS[type]} ...${attrs} />`;
  }
  if (type === "image") return html`<span class="b-img-alt">🖼 ${element.alt_text ?? "image"}</span>`;
  return html`<span class="b-unknown">[${type}]</span>`;
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

function Input({ block, i, ctx }) {
  const id = `in-${ctx.surface}-${i}`;
  const error = ctx.errors?.[blockIdOf(block, i)];
  return html`<div class=${`b-input${error ? " has-error" : ""}`} data-block=${blockIdOf(block, i)}>
    <label for=${id} class="b-label">
      ${textPlain(block.label)}${block.optional ? html`<span class="optional"> (optional)</span>` : null}
    </label>
    <${Element}
      element=${block.element ?? {}}
      where=${{ block, i, path: "element" }}
      ctx=${ctx}
      id=${id}
      stateOnly=${block.dispatch_action !== true}
      required=${block.optional !== true}
    />
    ${block.hint ? html`<${Markup} class="b-hint" markup=${textHtml(block.hint, ctx)} />` : null}
    <div class="b-error" role="alert">${error ?? ""}</div>
  </div>`;
}

/**
 * view.state.values for a rendered surface, as Slack would send it: block_id -> action_id ->
 * the element's value object. Also says which required inputs are empty.
 */
export function collectState(root, blocks) {
  const values = {};
  const missing = [];
  if (!root) return { values, missing };
  for (const control of root.querySelectorAll("[data-kind]")) {
    const element = elementAt(blocks, control.dataset.i, control.dataset.path);
    if (!element || element.type === "button") continue;
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
