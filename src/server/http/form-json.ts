import { randomUUID } from "node:crypto";
import type { FormCodec } from "../../form-codec/form-codec.js";
import { soleFormBytes } from "./form-field.js";

/**
 * JSON.parse of the url-encoded body's sole field `name`, found without decoding or scanning the
 * characters of its top-level string `key` as JSON, for bodies like v1's chunks, whose 7 MB of
 * base64 are nearly all of them. Undefined where that cannot be done; the caller then parses the
 * field the plain way (which also gives any error its message).
 *
 * The codec cuts the text around the first `"key": "…"` with plain characters. That may be a
 * nested key, or text inside another string: so the rest is parsed with an unguessable marker in
 * the cut's place, and only when the top level's `key` comes back as the marker was the cut the
 * top-level string. The result is then what JSON.parse of the whole would give.
 */
export function parseFormJsonAround(codec: FormCodec, body: Buffer, name: string, key: string): unknown {
  const value = soleFormBytes(body, name);
  const parts = value && codec.splitFormValue(value, key);
  if (!parts) return undefined;
  const marker = `#${randomUUID()}`;
  let json: unknown;
  try {
    json = JSON.parse(`${parts.before}${marker}${parts.after}`);
  } catch {
    return undefined;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json) || (json as Record<string, unknown>)[key] !== marker) {
    return undefined;
  }
  (json as Record<string, unknown>)[key] = parts.value;
  return json;
}
