import { Readable } from "node:stream";
import type { FormCodec } from "../form-codec/form-codec.js";

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
export function base64JsonForm(codec: FormCodec, fields: Record<string, unknown>, key: string, bytes: Buffer): StreamBody {
  const json = JSON.stringify(fields);
  const open = `${json.slice(0, -1)}${json === "{}" ? "" : ","}${JSON.stringify(key)}:"`;
  const head = Buffer.from(`json=${formEncode(open)}`, "latin1");
  const tail = Buffer.from(formEncode(`"}`), "latin1");
  return {
    length: head.length + codec.urlEncodedBase64Length(bytes) + tail.length,
    stream: () => Readable.from(pieces(codec, head, bytes, tail), { objectMode: false }),
  };
}

function* pieces(codec: FormCodec, head: Buffer, bytes: Buffer, tail: Buffer): Generator<Buffer> {
  yield head;
  for (let i = 0; i < bytes.length; i += PIECE_BYTES) yield codec.urlEncodeBase64(bytes.subarray(i, i + PIECE_BYTES));
  yield tail;
}

/** application/x-www-form-urlencoded, as URLSearchParams writes it (UTF-8, space as "+"). */
function formEncode(text: string): string {
  return new URLSearchParams({ v: text }).toString().slice(2);
}
