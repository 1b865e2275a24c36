const AMPERSAND = 0x26;
const PLUS = 0x2b;
const PERCENT = 0x25;
const SPACE = 0x20;

/**
 * The value of field `name` when the url-encoded `body` is that one field and nothing else
 * (`name=<value>`, no "&"), decoded as URLSearchParams decodes it; undefined for any other body,
 * or one with a byte past ASCII (URLSearchParams reads those as UTF-8 before it decodes the escapes),
 * which the caller hands to URLSearchParams. A v1 chunk is a 7 MB body of this one shape, and
 * URLSearchParams over it as a string cost ~120 ms.
 */
export function soleFormField(body: Buffer, name: string): string | undefined {
  const prefix = Buffer.from(`${name}=`, "latin1");
  if (body.length < prefix.length || !body.subarray(0, prefix.length).equals(prefix)) return undefined;
  if (body.indexOf(AMPERSAND, prefix.length) !== -1) return undefined;
  return decodeFormValue(body.subarray(prefix.length));
}

/**
 * application/x-www-form-urlencoded decoding in one pass over the bytes: "+" is a space, "%XX"
 * is the byte XX, a "%" not followed by two hex digits stays as it is (as in URLSearchParams),
 * and the bytes are read as UTF-8 with U+FFFD for what is not. Undefined when a raw byte is past
 * ASCII: URLSearchParams would decode that one differently, as UTF-8 of its own before the escapes.
 */
export function decodeFormValue(bytes: Buffer): string | undefined {
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
  return out.toString("utf8", 0, at);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}
