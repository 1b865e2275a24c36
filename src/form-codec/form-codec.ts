import { jsFormCodec } from "./js-form-codec.js";
import { wasmFormCodec } from "./wasm-form-codec.js";

/**
 * The per-byte work of v1's form bodies (protocol.md part 1: base64 inside the url-encoded field
 * `json`), for the runner that writes them and the server that reads them.
 */
export interface FormCodec {
  /** "wasm" or "js": which implementation this is. */
  readonly kind: "wasm" | "js";
  /** The url-encoded base64 of `bytes` (what `encodeURIComponent` makes of it). */
  urlEncodeBase64(bytes: Uint8Array): Buffer;
  /** The length of `urlEncodeBase64(bytes)`, without keeping it. */
  urlEncodedBase64Length(bytes: Uint8Array): number;
  /**
   * An application/x-www-form-urlencoded value decoded as URLSearchParams decodes it ("+" is a
   * space, "%XX" the byte XX, a "%" without two hex digits stays, the bytes read as UTF-8);
   * undefined when a raw byte is past ASCII, which URLSearchParams reads as UTF-8 of its own
   * before the escapes, and which the caller hands to URLSearchParams.
   */
  decodeFormValue(bytes: Uint8Array): string | undefined;
  /**
   * The form value decoded as by decodeFormValue, cut around the characters of its first
   * `"key": "…"` string when those are plain (printable ASCII, no quote or backslash: base64 is):
   * a 7 MB chunk's characters then need no UTF-8 decoding and no JSON scan. Undefined when the
   * value has no such string or a raw byte past ASCII.
   */
  splitFormValue(bytes: Uint8Array, key: string): FormValueParts | undefined;
  /**
   * Whether `text` is base64 as Buffer.from(text, "base64") reads it without skipping anything:
   * the alphabet, at most two "=" at the end, and not one character past a whole group of 4
   * (padding may be left out).
   */
  isBase64(text: string): boolean;
}

/** A decoded form value, `before + value + after`, where `value` is the inside of a JSON string. */
export interface FormValueParts {
  /** Up to and with the string's opening quote. */
  before: string;
  value: string;
  /** From the string's closing quote on. */
  after: string;
}

/**
 * The WebAssembly codec, about 3× faster on a 5 MiB chunk, or the JavaScript one where this
 * Node cannot run WebAssembly SIMD (x64 without SSE4.1, or WebAssembly turned off).
 */
export function createFormCodec(): FormCodec {
  return wasmFormCodec() ?? jsFormCodec;
}
