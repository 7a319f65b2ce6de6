// Decodes a Web API request body the way Slack does: form fields (WebClient's default) or a JSON
// object. WebClient sends objects such as blocks, metadata and view as JSON strings inside the
// form, so those fields are decoded here; what a test sees in `args` is what the bot meant.

export type Args = Record<string, unknown>;

/** Form fields Slack documents as "JSON-encoded string". */
const JSON_FIELDS = new Set(["blocks", "attachments", "metadata", "view", "unfurls", "user_auth_blocks"]);

export type ParsedBody = { ok: true; args: Args } | { ok: false; error: string };

export function parseBody(contentType: string | undefined, raw: string, query: URLSearchParams): ParsedBody {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  const args: Args = Object.fromEntries(query);
  if (raw === "") return { ok: true, args };
  if (type === "application/json") {
    try {
      const json: unknown = JSON.parse(raw);
      if (typeof json !== "object" || json === null || Array.isArray(json))
        return { ok: false, error: "invalid_json" };
      return { ok: true, args: { ...args, ...json } };
    } catch {
      return { ok: false, error: "invalid_json" };
    }
  }
  if (type === "application/x-www-form-urlencoded" || type === "text/plain" || type === "") {
    for (const [key, value] of new URLSearchParams(raw)) args[key] = decodeJsonField(key, value);
    return { ok: true, args };
  }
  if (type === "multipart/form-data") return { ok: false, error: "invalid_form_data" };
  return { ok: false, error: "invalid_post_type" };
}

function decodeJsonField(key: string, value: string): unknown {
  if (!JSON_FIELDS.has(key)) return value;
  try {
    return JSON.parse(value);
  } catch {
    // Left as a string; the method reports it as invalid_blocks_format and the like.
    return value;
  }
}

export function str(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

export function flag(value: unknown): boolean {
  return value === true || value === 1 || value === "true" || value === "1";
}

export function int(value: unknown, fallback: number): number {
  const n =
    typeof value === "number"
      ? value
      : typeof value === "string" && value !== ""
        ? Number(value)
        : Number.NaN;
  return Number.isInteger(n) ? n : fallback;
}
