import { Readable } from "node:stream";

/** A request body that can be streamed again for every try, with its exact length. */
export interface StreamBody {
  readonly length: number;
  stream(): Readable;
}

/** Bytes per piece: a multiple of 3, so the pieces' base64 joins into the whole's with padding only at the end. */
const PIECE_BYTES = 3 * 16 * 1024;

/**
 * The form `json=<urlencoded JSON>` the Python runner sends (application/x-www-form-urlencoded),
 * where field `key` of the JSON is the base64 of `bytes`. Built piece by piece: only the JSON
 * around the base64 is a string; the base64 is made and url-encoded 64 KiB at a time, so no
 * full-size copy of the body exists.
 */
export function base64JsonForm(fields: Record<string, unknown>, key: string, bytes: Buffer): StreamBody {
  const json = JSON.stringify(fields);
  const open = `${json.slice(0, -1)}${json === "{}" ? "" : ","}${JSON.stringify(key)}:"`;
  const head = Buffer.from(`json=${formEncode(open)}`, "latin1");
  const tail = Buffer.from(formEncode(`"}`), "latin1");
  return {
    length: head.length + urlEncodedBase64Length(bytes) + tail.length,
    stream: () => Readable.from(pieces(head, bytes, tail), { objectMode: false }),
  };
}

function* pieces(head: Buffer, bytes: Buffer, tail: Buffer): Generator<Buffer> {
  yield head;
  for (let i = 0; i < bytes.length; i += PIECE_BYTES) yield urlEncodeBase64(bytes.subarray(i, i + PIECE_BYTES));
  yield tail;
}

const PLUS = 0x2b;
const SLASH = 0x2f;
const EQUALS = 0x3d;
const PERCENT = 0x25;

/**
 * The url-encoded base64 of `bytes` (what `encodeURIComponent` makes of it), escaped in one pass
 * over a Buffer: a regex with a callback per "+", "/" and "=" cost ~50 ms per 5 MiB chunk.
 */
export function urlEncodeBase64(bytes: Uint8Array): Buffer {
  const base64 = Buffer.from(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64"), "latin1");
  // At most every character escaped: 3 bytes each.
  const out = Buffer.allocUnsafe(base64.length * 3);
  let at = 0;
  for (let i = 0; i < base64.length; i++) {
    const c = base64[i]!;
    if (c === PLUS || c === SLASH || c === EQUALS) {
      out[at] = PERCENT;
      // "+" → 2B, "/" → 2F, "=" → 3D
      out[at + 1] = c === EQUALS ? 0x33 : 0x32;
      out[at + 2] = c === PLUS ? 0x42 : c === SLASH ? 0x46 : 0x44;
      at += 3;
    } else {
      out[at++] = c;
    }
  }
  return out.subarray(0, at);
}

/** application/x-www-form-urlencoded, as URLSearchParams writes it (UTF-8, space as "+"). */
function formEncode(text: string): string {
  return new URLSearchParams({ v: text }).toString().slice(2);
}

/**
 * The length of the url-encoded base64 of `bytes`, without making it: 4 characters per 3
 * bytes, plus 2 for each "+" (sextet 62), "/" (sextet 63) and "=" (padding) that become %XX.
 */
export function urlEncodedBase64Length(bytes: Uint8Array): number {
  let escaped = 0;
  const whole = bytes.length - (bytes.length % 3);
  for (let i = 0; i < whole; i += 3) {
    const a = bytes[i]!;
    const b = bytes[i + 1]!;
    const c = bytes[i + 2]!;
    if (a >> 2 >= 62) escaped++;
    if ((((a & 3) << 4) | (b >> 4)) >= 62) escaped++;
    if ((((b & 15) << 2) | (c >> 6)) >= 62) escaped++;
    if ((c & 63) >= 62) escaped++;
  }
  const rest = bytes.length - whole;
  if (rest > 0) {
    // The last sextet of a partial group has its low bits zero (at most 48 or 60), never 62 or 63.
    const a = bytes[whole]!;
    const b = rest === 2 ? bytes[whole + 1]! : 0;
    if (a >> 2 >= 62) escaped++;
    if ((((a & 3) << 4) | (b >> 4)) >= 62) escaped++;
    escaped += 3 - rest; // "=" padding
  }
  return 4 * Math.ceil(bytes.length / 3) + 2 * escaped;
}
