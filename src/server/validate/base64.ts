import { HttpError } from "../http/http-error.js";
import type { FieldCheck } from "./field-check.js";

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The byte count a base64 text decodes to, known before decoding it. */
export function decodedLength(text: string): number {
  let padding = 0;
  if (text.endsWith("==")) padding = 2;
  else if (text.endsWith("=")) padding = 1;
  return Math.floor(((text.length - padding) * 3) / 4);
}

/**
 * Decodes a base64 field, refusing with a 413 what would decode to more than `maxBytes`
 * (checked before decoding) and with a 400 what is not base64 (Buffer.from would skip bad characters silently).
 */
export function decodeBase64(check: FieldCheck, key: string, text: string, maxBytes: number): Buffer {
  const size = decodedLength(text);
  if (size > maxBytes) {
    throw new HttpError(413, `${check.call}: "${key}" decodes to ${size} bytes, more than the ${maxBytes} accepted`);
  }
  const bytes = Buffer.from(text, "base64");
  // Canonical base64 (what every encoder writes) decodes and encodes back to itself: a check in
  // native code. Anything else (no padding, say) goes through the pattern, five times slower on a 7 MB chunk.
  if (bytes.toString("base64") !== text && (!BASE64.test(text) || text.length % 4 === 1)) throw check.fail(key, "must be base64");
  return bytes;
}
