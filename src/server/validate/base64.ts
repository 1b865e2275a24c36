import type { FormCodec } from "../../form-codec/form-codec.js";
import { HttpError } from "../http/http-error.js";
import type { FieldCheck } from "./field-check.js";

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
export function decodeBase64(check: FieldCheck, key: string, text: string, maxBytes: number, forms: FormCodec): Buffer {
  const size = decodedLength(text);
  if (size > maxBytes) {
    throw new HttpError(413, `${check.call}: "${key}" decodes to ${size} bytes, more than the ${maxBytes} accepted`);
  }
  if (!forms.isBase64(text)) throw check.fail(key, "must be base64");
  return Buffer.from(text, "base64");
}
