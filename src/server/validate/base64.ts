import { DecodedBase64 } from "../../form-codec/decoded-base64.js";
import type { FormCodec } from "../../form-codec/form-codec.js";
import { HttpError } from "../http/http-error.js";
import type { FieldCheck, JsonObject } from "./field-check.js";

/** The byte count a base64 text decodes to, known before decoding it. */
export function decodedLength(text: string): number {
  let padding = 0;
  if (text.endsWith("==")) padding = 2;
  else if (text.endsWith("=")) padding = 1;
  return Math.floor(((text.length - padding) * 3) / 4);
}

/** Field `key` as base64: a string, or the DecodedBase64 the url-encoded form's fast path made of it. */
export function base64Text(check: FieldCheck, json: JsonObject, key: string): string | DecodedBase64 {
  const value = json[key];
  return value instanceof DecodedBase64 ? value : check.string(json, key);
}

/**
 * Decodes a base64 field, refusing with a 413 what would decode to more than `maxBytes`
 * (checked before decoding) and with a 400 what is not base64 (Buffer.from would skip bad characters silently).
 */
export function decodeBase64(check: FieldCheck, key: string, text: string | DecodedBase64, maxBytes: number, forms: FormCodec): Buffer {
  if (text instanceof DecodedBase64) {
    // Checked as base64 and decoded already (bounded by the body's size limit).
    if (text.bytes.length > maxBytes) throw tooLarge(check, key, text.bytes.length, maxBytes);
    return text.bytes;
  }
  const size = decodedLength(text);
  if (size > maxBytes) throw tooLarge(check, key, size, maxBytes);
  if (!forms.isBase64(text)) throw check.fail(key, "must be base64");
  return Buffer.from(text, "base64");
}

function tooLarge(check: FieldCheck, key: string, size: number, maxBytes: number): HttpError {
  return new HttpError(413, `${check.call}: "${key}" decodes to ${size} bytes, more than the ${maxBytes} accepted`);
}
