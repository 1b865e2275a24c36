import type { FormCodec } from "../../form-codec/form-codec.js";

/**
 * What follows `name=` in the url-encoded `body`, still encoded, when the body starts so;
 * undefined for any other body. Whether that is the body's one field (no "&" in it) is the
 * codec's to say as it decodes the value: it refuses an "&".
 */
function valueAfter(body: Buffer, name: string): Buffer | undefined {
  const prefix = Buffer.from(`${name}=`, "latin1");
  if (body.length < prefix.length || !body.subarray(0, prefix.length).equals(prefix)) return undefined;
  return body.subarray(prefix.length);
}

/**
 * The still url-encoded value of field `name`, for a body given as the pieces it came in, when
 * it starts with `name=`: the value's pieces (the first without the `name=`), not joined.
 */
export function soleFormPieces(pieces: readonly Buffer[], name: string): Buffer[] | undefined {
  const [first, ...rest] = pieces.length > 0 && pieces[0]!.length <= name.length ? [Buffer.concat(pieces)] : pieces;
  const value = first && valueAfter(first, name);
  return value && [value, ...rest];
}

/**
 * The value of field `name` when the url-encoded `body` is that one field and nothing else,
 * decoded as URLSearchParams decodes it; undefined for any other body, or one with a byte past
 * ASCII (URLSearchParams reads those as UTF-8 before it decodes the escapes), which the caller
 * hands to URLSearchParams. A v1 chunk is a 7 MB body of this one shape, and URLSearchParams over
 * it as a string cost ~120 ms.
 */
export function soleFormField(codec: FormCodec, body: Buffer, name: string): string | undefined {
  const value = valueAfter(body, name);
  return value && codec.decodeFormValue(value);
}
