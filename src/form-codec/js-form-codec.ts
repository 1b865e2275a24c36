import type { FormCodec } from "./form-codec.js";
import { splitAtStringField } from "./string-field.js";

const PLUS = 0x2b;
const SLASH = 0x2f;
const EQUALS = 0x3d;
const PERCENT = 0x25;
const SPACE = 0x20;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The form codec in plain JavaScript: the fallback, and the reference the WebAssembly one is tested against. */
export const jsFormCodec: FormCodec = {
  kind: "js",
  urlEncodeBase64,
  urlEncodedBase64Length,
  decodeFormValue: (bytes) => decodeFormBytes(bytes)?.toString("utf8"),
  splitFormValue(bytes, key) {
    const text = decodeFormBytes(bytes);
    return text && splitAtStringField(text, key, (start, end) => plainJsonText(text.subarray(start, end)));
  },
  isBase64: (text) => text.length % 4 !== 1 && BASE64.test(text),
};

/**
 * Escaped in one pass over a Buffer: a regex with a callback per "+", "/" and "=" cost ~50 ms
 * per 5 MiB chunk.
 */
function urlEncodeBase64(bytes: Uint8Array): Buffer {
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

/**
 * Counted without making the base64: 4 characters per 3 bytes, plus 2 for each "+" (sextet 62),
 * "/" (sextet 63) and "=" (padding) that become %XX.
 */
function urlEncodedBase64Length(bytes: Uint8Array): number {
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

function decodeFormBytes(bytes: Uint8Array): Buffer | undefined {
  // Decoding never makes the value longer.
  const out = Buffer.allocUnsafe(bytes.length);
  let at = 0;
  const end = bytes.length;
  for (let i = 0; i < end; i++) {
    const c = bytes[i]!;
    if (c > 0x7f) return undefined;
    if (c === PERCENT && i + 2 < end) {
      const high = hexValue(bytes[i + 1]!);
      const low = high < 0 ? -1 : hexValue(bytes[i + 2]!);
      if (low >= 0) {
        out[at++] = (high << 4) | low;
        i += 2;
        continue;
      }
    }
    out[at++] = c === PLUS ? SPACE : c;
  }
  return out.subarray(0, at);
}

function plainJsonText(bytes: Uint8Array): boolean {
  for (const c of bytes) if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
  return true;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}
