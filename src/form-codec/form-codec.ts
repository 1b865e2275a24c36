import { jsFormCodec } from "./js-form-codec.js";
import { wasmFormCodec } from "./wasm-form-codec.js";

/**
 * The per-byte work of v1's form bodies (protocol.md part 1: base64 inside the url-encoded field
 * `json`), for the runner that writes them and the server that reads them.
 */
export interface FormCodec {
  /** "wasm" or "js": which implementation this is. */
  readonly kind: "wasm" | "js";
  /**
   * The url-encoded base64 of `bytes`, in pieces of bounded size whose concatenation is the whole,
   * none shared with another call's: what `encodeURIComponent` makes of it, but with "/" as it is.
   * A form value may hold "/" unescaped (every form parser, URLSearchParams among them, takes it
   * as itself); it is 1 in 64 base64 characters, and its escape cost the server as much decoding
   * as "+"'s, which must stay escaped ("+" is a space in a form).
   */
  urlEncodeBase64(bytes: Uint8Array): Buffer[];
  /**
   * Gives the memory of urlEncodeBase64's pieces, or of splitBase64Field's bytes, back for the
   * next ones, once nothing reads them any more; they must not be used after, nor given back
   * twice. Optional: buffers never given back are garbage collected.
   */
  reuse(buffers: readonly Buffer[]): void;
  /**
   * An application/x-www-form-urlencoded value decoded as URLSearchParams decodes it ("+" is a
   * space, "%XX" the byte XX, a "%" without two hex digits stays, the bytes read as UTF-8);
   * undefined when a raw byte is past ASCII, which URLSearchParams reads as UTF-8 of its own
   * before the escapes, or is an "&", which would end the field: the caller then hands the body
   * to URLSearchParams.
   */
  decodeFormValue(bytes: Uint8Array): string | undefined;
  /**
   * The form value (given as pieces, which it need not join) decoded as by decodeFormValue, cut around the characters of its first
   * `"key": "…"` string when those are base64 (as isBase64 says): the text before and after, and
   * the string's bytes, decoded from base64. A 7 MB chunk then never becomes a string. Undefined
   * when the value has no such string, has a raw byte past ASCII or an "&", or the string is not base64;
   * the caller's plain path then gives the answer, or the error.
   */
  splitBase64Field(pieces: readonly Uint8Array[], key: string): Base64FieldParts | undefined;
  /**
   * Whether `text` is base64 as Buffer.from(text, "base64") reads it without skipping anything:
   * the alphabet, at most two "=" at the end, and not one character past a whole group of 4
   * (padding may be left out).
   */
  isBase64(text: string): boolean;
}

/** A decoded form value, `before + "<base64 of bytes>" + after`, cut inside a JSON string. */
export interface Base64FieldParts {
  /** Up to and with the string's opening quote. */
  before: string;
  /** The string's characters, decoded from base64 (a buffer no other call shares; see reuse). */
  bytes: Buffer;
  /** From the string's closing quote on. */
  after: string;
}

/**
 * The WebAssembly codec, several times faster on a 5 MiB chunk, or the JavaScript one where this
 * Node cannot run WebAssembly SIMD (x64 without SSE4.1, or WebAssembly turned off).
 */
export function createFormCodec(): FormCodec {
  return wasmFormCodec() ?? jsFormCodec;
}
