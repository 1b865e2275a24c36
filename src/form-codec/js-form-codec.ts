import type { FormCodec } from "./form-codec.js";
import { splitAtStringField } from "./string-field.js";

const PLUS = 0x2b;
const EQUALS = 0x3d;
const PERCENT = 0x25;
const SPACE = 0x20;
const AMPERSAND = 0x26;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const isBase64 = (text: string) => text.length % 4 !== 1 && BASE64.test(text);

/** The form codec in plain JavaScript: the fallback, and the reference the WebAssembly one is tested against. */
export const jsFormCodec: FormCodec = {
  kind: "js",
  urlEncodeBase64: (bytes) => [urlEncodeBase64(bytes)],
  reuse: () => undefined,
  decodeFormValue: (bytes) => decodeFormBytes(bytes)?.toString("utf8"),
  splitBase64Field(pieces, key) {
    const text = decodeFormBytes(Buffer.concat(pieces));
    return (
      text &&
      splitAtStringField(text, key, (start, end) => {
        const value = text.toString("latin1", start, end);
        return isBase64(value) ? Buffer.from(value, "base64") : undefined;
      })
    );
  },
  isBase64,
};

/**
 * Escaped in one pass over a Buffer: a regex with a callback per "+" and "=" cost ~50 ms per
 * 5 MiB chunk. "/" stays as it is (see form-codec.ts).
 */
function urlEncodeBase64(bytes: Uint8Array): Buffer {
  const base64 = Buffer.from(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64"), "latin1");
  // At most every character escaped: 3 bytes each.
  const out = Buffer.allocUnsafe(base64.length * 3);
  let at = 0;
  for (let i = 0; i < base64.length; i++) {
    const c = base64[i]!;
    if (c === PLUS || c === EQUALS) {
      out[at] = PERCENT;
      // "+" → 2B, "=" → 3D
      out[at + 1] = c === EQUALS ? 0x33 : 0x32;
      out[at + 2] = c === PLUS ? 0x42 : 0x44;
      at += 3;
    } else {
      out[at++] = c;
    }
  }
  return out.subarray(0, at);
}

function decodeFormBytes(bytes: Uint8Array): Buffer | undefined {
  // Decoding never makes the value longer.
  const out = Buffer.allocUnsafe(bytes.length);
  let at = 0;
  const end = bytes.length;
  for (let i = 0; i < end; i++) {
    const c = bytes[i]!;
    if (c > 0x7f || c === AMPERSAND) return undefined;
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

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}
