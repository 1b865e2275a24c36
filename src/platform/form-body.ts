import { Readable } from "node:stream";
import type { FormCodec } from "../form-codec/form-codec.js";

/** A request body that can be streamed again for every try, with its exact length. */
export interface StreamBody {
  readonly length: number;
  stream(): Readable;
  /** Once no try streams it any more: gives its memory back for the next body (idempotent). */
  release(): void;
}

/**
 * The form `json=<urlencoded JSON>` the Python runner sends (application/x-www-form-urlencoded),
 * where field `key` of the JSON is the base64 of `bytes`. Encoded once, when the body is made (the
 * codec's pieces hold about 1.4 times the bytes, which the caller may then drop): its length is
 * then known without a pass of its own, and a retry streams the same pieces again.
 */
export function base64JsonForm(codec: FormCodec, fields: Record<string, unknown>, key: string, bytes: Buffer): StreamBody {
  const json = JSON.stringify(fields);
  const open = `${json.slice(0, -1)}${json === "{}" ? "" : ","}${JSON.stringify(key)}:"`;
  const encoded = codec.urlEncodeBase64(bytes);
  const pieces = [Buffer.from(`json=${formEncode(open)}`, "latin1"), ...encoded, Buffer.from(formEncode(`"}`), "latin1")];
  let released = false;
  return {
    length: pieces.reduce((sum, piece) => sum + piece.length, 0),
    stream: () => Readable.from(pieces, { objectMode: false }),
    release() {
      if (released) return;
      released = true;
      codec.reuse(encoded);
    },
  };
}

/** application/x-www-form-urlencoded, as URLSearchParams writes it (UTF-8, space as "+"). */
function formEncode(text: string): string {
  return new URLSearchParams({ v: text }).toString().slice(2);
}
