import type { Base64FieldParts } from "./form-codec.js";

const QUOTE = 0x22;
const COLON = 0x3a;
const EQUALS = 0x3d;
/** How many `"key"` texts are tried before giving up (each may be a value, not a key). */
const TRIES = 8;

const isJsonSpace = (c: number | undefined) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/**
 * Where the characters of the first `"key": "…"` in JSON text `text` are (the `"…"` string's
 * inside, from the byte after its opening quote to its closing one), or undefined. Only a guess
 * at the JSON's structure: the text may hold `"key"` inside another string or a nested object,
 * which the caller rules out by parsing the rest (see form-json.ts on the server).
 */
function stringFieldSpan(text: Buffer, key: string): { start: number; end: number } | undefined {
  const name = Buffer.from(JSON.stringify(key), "utf8");
  let from = 0;
  for (let tries = 0; tries < TRIES; tries++) {
    const found = text.indexOf(name, from);
    if (found < 0) return undefined;
    from = found + 1;
    let at = found + name.length;
    while (isJsonSpace(text[at])) at++;
    if (text[at] !== COLON) continue;
    at++;
    while (isJsonSpace(text[at])) at++;
    if (text[at] !== QUOTE) continue;
    const end = text.indexOf(QUOTE, at + 1);
    if (end < 0) return undefined;
    return { start: at + 1, end };
  }
  return undefined;
}

/**
 * How many of the `length` characters of base64 at `start` of `text` come before its "="
 * padding (at most two), or undefined when the length alone rules base64 out: one character
 * past a whole group of 4, which Buffer.from would drop.
 */
export function unpaddedLength(text: Uint8Array, start: number, length: number): number | undefined {
  if (length % 4 === 1) return undefined;
  let padding = 0;
  while (padding < 2 && padding < length && text[start + length - 1 - padding] === EQUALS) padding++;
  return length - padding;
}

/**
 * `text` cut around the characters of its first `"key": "…"` string, when `decode` gives their
 * bytes (from `start` to `end` of `text`, base64); else undefined. `decode` is called last, and
 * may overwrite those characters.
 */
export function splitAtStringField(
  text: Buffer,
  key: string,
  decode: (start: number, end: number) => Buffer | undefined,
): Base64FieldParts | undefined {
  const span = stringFieldSpan(text, key);
  if (!span) return undefined;
  const before = text.toString("utf8", 0, span.start);
  const after = text.toString("utf8", span.end);
  const bytes = decode(span.start, span.end);
  return bytes && { before, bytes, after };
}
