// The Block Kit limits real Slack enforces and a bot most often trips over (header length,
// modal title length, duplicate block_ids, button value size…). The fake rejects the same
// payloads Slack would, so such bugs fail a test instead of a real page.
// Messages mimic Slack's: "must be less than 151 characters [json-pointer:/blocks/0/text/text]".

type Json = Record<string, unknown>;

export type BlockSurface = "message" | "modal" | "home";

const MAX_BLOCKS: Record<BlockSurface, number> = { message: 50, modal: 100, home: 100 };

export function checkBlocks(blocks: unknown, surface: BlockSurface, pointer = "/blocks"): string[] {
  const errors: string[] = [];
  if (!Array.isArray(blocks)) return [`must be an array [json-pointer:${pointer}]`];
  if (blocks.length > MAX_BLOCKS[surface]) {
    errors.push(`no more than ${MAX_BLOCKS[surface]} items allowed [json-pointer:${pointer}]`);
  }
  const blockIds = new Set<string>();
  blocks.forEach((block, i) => {
    const at = `${pointer}/${i}`;
    if (!isObject(block) || typeof block.type !== "string") {
      errors.push(`must provide an object with a type [json-pointer:${at}]`);
      return;
    }
    if (block.block_id !== undefined) {
      if (typeof block.block_id !== "string" || block.block_id.length > 255) {
        errors.push(`must be a string of at most 255 characters [json-pointer:${at}/block_id]`);
      } else if (blockIds.has(block.block_id)) {
        errors.push(`${block.block_id} is not unique [json-pointer:${at}/block_id]`);
      } else blockIds.add(block.block_id);
    }
    errors.push(...checkBlock(block, at, surface));
  });
  return errors;
}

function checkBlock(block: Json, at: string, surface: BlockSurface): string[] {
  switch (block.type) {
    case "header":
      return checkText(block.text, `${at}/text`, { max: 150, plainOnly: true, required: true });
    case "section": {
      const errors: string[] = [];
      if (block.text === undefined && block.fields === undefined) {
        errors.push(`must provide text or fields [json-pointer:${at}]`);
      }
      if (block.text !== undefined) errors.push(...checkText(block.text, `${at}/text`, { max: 3000 }));
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields) || block.fields.length > 10) {
          errors.push(`must be an array of at most 10 items [json-pointer:${at}/fields]`);
        } else {
          block.fields.forEach((f, i) => {
            errors.push(...checkText(f, `${at}/fields/${i}`, { max: 2000 }));
          });
        }
      }
      if (block.accessory !== undefined) errors.push(...checkElement(block.accessory, `${at}/accessory`));
      return errors;
    }
    case "context":
      return checkList(block.elements, `${at}/elements`, 10, (el, p) =>
        isObject(el) && (el.type === "plain_text" || el.type === "mrkdwn")
          ? checkText(el, p, { max: 3000 })
          : [],
      );
    case "actions":
      return checkActions(block, at);
    case "input":
      if (surface === "message") return [`input blocks are only allowed in modals [json-pointer:${at}]`];
      return [
        ...checkText(block.label, `${at}/label`, { max: 2000, plainOnly: true, required: true }),
        ...(isObject(block.element) ? [] : [`must provide an element [json-pointer:${at}/element]`]),
      ];
    default:
      return [];
  }
}

function checkActions(block: Json, at: string): string[] {
  const seen = new Set<string>();
  return checkList(block.elements, `${at}/elements`, 25, (el, p) => {
    const errors = checkElement(el, p);
    if (isObject(el) && typeof el.action_id === "string") {
      if (seen.has(el.action_id)) errors.push(`${el.action_id} is not unique [json-pointer:${p}/action_id]`);
      seen.add(el.action_id);
    }
    return errors;
  });
}

function checkElement(el: unknown, at: string): string[] {
  if (!isObject(el) || typeof el.type !== "string")
    return [`must provide an object with a type [json-pointer:${at}]`];
  const errors: string[] = [];
  if (el.action_id !== undefined && (typeof el.action_id !== "string" || el.action_id.length > 255)) {
    errors.push(`must be a string of at most 255 characters [json-pointer:${at}/action_id]`);
  }
  if (el.type === "button") {
    errors.push(...checkText(el.text, `${at}/text`, { max: 75, plainOnly: true, required: true }));
    if (el.value !== undefined && (typeof el.value !== "string" || el.value.length > 2000)) {
      errors.push(`must be a string of at most 2000 characters [json-pointer:${at}/value]`);
    }
    if (el.url !== undefined && (typeof el.url !== "string" || el.url.length > 3000)) {
      errors.push(`must be a string of at most 3000 characters [json-pointer:${at}/url]`);
    }
    if (el.style !== undefined && el.style !== "primary" && el.style !== "danger") {
      errors.push(`must be one of primary, danger [json-pointer:${at}/style]`);
    }
  }
  return errors;
}

function checkList(
  list: unknown,
  at: string,
  max: number,
  each: (item: unknown, pointer: string) => string[],
): string[] {
  if (!Array.isArray(list) || list.length === 0)
    return [`must provide a non-empty array [json-pointer:${at}]`];
  const errors = list.length > max ? [`no more than ${max} items allowed [json-pointer:${at}]`] : [];
  list.forEach((item, i) => {
    errors.push(...each(item, `${at}/${i}`));
  });
  return errors;
}

export function checkText(
  text: unknown,
  at: string,
  opts: { max: number; plainOnly?: boolean; required?: boolean },
): string[] {
  if (text === undefined) return opts.required ? [`must provide an object [json-pointer:${at}]`] : [];
  if (!isObject(text) || typeof text.text !== "string") {
    return [`must provide a text object [json-pointer:${at}]`];
  }
  if (opts.plainOnly && text.type !== "plain_text") return [`must be plain_text [json-pointer:${at}/type]`];
  if (text.type !== "plain_text" && text.type !== "mrkdwn") {
    return [`must be one of plain_text, mrkdwn [json-pointer:${at}/type]`];
  }
  if (text.text.length === 0) return [`must be more than 0 characters [json-pointer:${at}/text]`];
  if (text.text.length > opts.max) {
    return [`must be less than ${opts.max + 1} characters [json-pointer:${at}/text]`];
  }
  return [];
}

/** Modal/home view envelope limits; the blocks are checked by checkBlocks. */
export function checkView(typed: object, surface: "modal" | "home"): string[] {
  // Typed views (@slack/types' ModalView) have no index signature; the checks read them as JSON.
  const view = typed as Json;
  const errors: string[] = [];
  if (view.type !== surface) errors.push(`must be ${surface} [json-pointer:/view/type]`);
  if (surface === "modal") {
    errors.push(...checkText(view.title, "/view/title", { max: 24, plainOnly: true, required: true }));
    errors.push(...checkText(view.submit, "/view/submit", { max: 24, plainOnly: true }));
    errors.push(...checkText(view.close, "/view/close", { max: 24, plainOnly: true }));
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObject(b) && b.type === "input");
    if (hasInput && view.submit === undefined) {
      errors.push("must provide submit when the view has input blocks [json-pointer:/view/submit]");
    }
  }
  if (typeof view.private_metadata === "string" && view.private_metadata.length > 3000) {
    errors.push("must be less than 3001 characters [json-pointer:/view/private_metadata]");
  }
  if (typeof view.callback_id === "string" && view.callback_id.length > 255) {
    errors.push("must be less than 256 characters [json-pointer:/view/callback_id]");
  }
  errors.push(...checkBlocks(view.blocks ?? [], surface, "/view/blocks"));
  return errors;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
