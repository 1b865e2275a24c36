import type { FormValueParts } from "./form-codec.js";

const QUOTE = 0x22;
const COLON = 0x3a;
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
 * `text` cut around the characters of its first `"key": "…"` string, when `plain` says those
 * bytes (from `start` to `end` of `text`) are plain JSON text; else undefined.
 */
export function splitAtStringField(
  text: Buffer,
  key: string,
  plain: (start: number, end: number) => boolean,
): FormValueParts | undefined {
  const span = stringFieldSpan(text, key);
  if (!span || !plain(span.start, span.end)) return undefined;
  return {
    before: text.toString("utf8", 0, span.start),
    value: text.toString("latin1", span.start, span.end),
    after: text.toString("utf8", span.end),
  };
}
