import type { FormCodec } from "../../form-codec/form-codec.js";

const AMPERSAND = 0x26;

/**
 * The still url-encoded value of field `name` when the url-encoded `body` is that one field and
 * nothing else (`name=<value>`, no "&"); undefined for any other body.
 */
export function soleFormBytes(body: Buffer, name: string): Buffer | undefined {
  const prefix = Buffer.from(`${name}=`, "latin1");
  if (body.length < prefix.length || !body.subarray(0, prefix.length).equals(prefix)) return undefined;
  if (body.indexOf(AMPERSAND, prefix.length) !== -1) return undefined;
  return body.subarray(prefix.length);
}

/**
 * soleFormBytes of a body given as the pieces it came in: the value's pieces (the first without
 * the `name=`), not joined.
 */
export function soleFormPieces(pieces: readonly Buffer[], name: string): Buffer[] | undefined {
  const prefix = name.length + 1;
  const [first, ...rest] = pieces.length > 0 && pieces[0]!.length < prefix ? [Buffer.concat(pieces)] : pieces;
  const value = first && soleFormBytes(first, name);
  if (!value || rest.some((piece) => piece.includes(AMPERSAND))) return undefined;
  return [value, ...rest];
}

/**
 * The value of field `name` when the url-encoded `body` is that one field and nothing else,
 * decoded as URLSearchParams decodes it; undefined for any other body, or one with a byte past
 * ASCII (URLSearchParams reads those as UTF-8 before it decodes the escapes), which the caller
 * hands to URLSearchParams. A v1 chunk is a 7 MB body of this one shape, and URLSearchParams over
 * it as a string cost ~120 ms.
 */
export function soleFormField(codec: FormCodec, body: Buffer, name: string): string | undefined {
  const value = soleFormBytes(body, name);
  return value && codec.decodeFormValue(value);
}
