import { randomUUID } from "node:crypto";
import { DecodedBase64 } from "../../form-codec/decoded-base64.js";
import type { FormCodec } from "../../form-codec/form-codec.js";
import { soleFormPieces } from "./form-field.js";

/**
 * JSON.parse of the url-encoded body's sole field `name` (the body as the pieces it came in),
 * with its top-level string `key` already decoded from base64 (a DecodedBase64 in its place), for
 * bodies like v1's chunks, whose 7 MB of base64 are nearly all of them: those characters never
 * become a string, nor are they scanned as JSON. Undefined where that cannot be done; the caller
 * then parses the field the plain way (which also gives any error its message).
 *
 * The codec cuts the text around the first `"key": "…"` whose characters are base64. That may be
 * a nested key, or text inside another string: so the rest is parsed with an unguessable marker in
 * the cut's place, and only when the top level's `key` comes back as the marker was the cut the
 * top-level string. The result is then what JSON.parse of the whole would give, the string decoded.
 */
export function parseFormJsonAround(codec: FormCodec, body: readonly Buffer[], name: string, key: string): unknown {
  const value = soleFormPieces(body, name);
  const parts = value && codec.splitBase64Field(value, key);
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
  (json as Record<string, unknown>)[key] = new DecodedBase64(parts.bytes, (bytes) => codec.reuse([bytes]));
  return json;
}
