import type { IncomingMessage } from "node:http";
import type Busboy from "busboy";
import type { FormCodec } from "../../form-codec/form-codec.js";
import { consumeBody, readBodyPieces } from "./consume-body.js";
import { soleFormField } from "./form-field.js";
import { parseFormJsonAround } from "./form-json.js";
import { badRequest, HttpError } from "./http-error.js";
import { parseJson } from "./read-json.js";

/** The form field that carries the JSON payload (protocol.md part 1). */
const FIELD = "json";

/**
 * The JSON carried in form field `json`, as `application/x-www-form-urlencoded` (what the Python
 * runner sends) or `multipart/form-data`. The body is read up to `limit` bytes, no further.
 * `bulkKey` names the top-level string that holds the bulk of the body (v1's base64 "chunk"):
 * an url-encoded body's JSON is then parsed around it (form-json.ts), to the same result.
 */
export async function readFormJson(req: IncomingMessage, forms: FormCodec, limit: number, call: string, bulkKey?: string): Promise<unknown> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  let text: string | undefined;
  if (type === "application/x-www-form-urlencoded") {
    const pieces = await readBodyPieces(req, limit, call);
    const parsed = bulkKey === undefined ? undefined : parseFormJsonAround(forms, pieces, FIELD, bulkKey);
    if (parsed !== undefined) return parsed;
    const body = Buffer.concat(pieces);
    text = soleFormField(forms, body, FIELD) ?? new URLSearchParams(body.toString("utf8")).get(FIELD) ?? undefined;
  } else if (type === "multipart/form-data") {
    text = await readMultipartField(req, limit, call);
  } else {
    throw new HttpError(
      415,
      `${call}: the body must be a form (application/x-www-form-urlencoded or multipart/form-data), got "${type || "none"}"`,
    );
  }
  if (text === undefined) throw badRequest(`${call}: the form has no field "${FIELD}"`);
  return parseJson(text, call, `form field "${FIELD}"`);
}

async function readMultipartField(req: IncomingMessage, limit: number, call: string): Promise<string | undefined> {
  // Loaded on first use: url-encoded forms (what the Python runner sends) never need it.
  const { default: busboy } = await import("busboy");
  let parser: Busboy.Busboy;
  try {
    parser = busboy({ headers: req.headers, limits: { fieldSize: limit, fields: 20, files: 1, parts: 21 } });
  } catch (error) {
    throw badRequest(`${call}: bad multipart body (${error instanceof Error ? error.message : String(error)})`);
  }
  let value: string | undefined;
  const parsed = new Promise<void>((resolve, reject) => {
    parser.on("field", (name, text) => {
      if (name === FIELD) value = text;
    });
    // A client may send the payload as a file part named "json": read it as text.
    parser.on("file", (name, stream) => {
      const pieces: Buffer[] = [];
      stream.on("data", (piece: Buffer) => {
        if (name === FIELD) pieces.push(piece);
      });
      stream.on("end", () => {
        if (name === FIELD) value = Buffer.concat(pieces).toString("utf8");
      });
    });
    parser.on("error", (error: unknown) =>
      reject(badRequest(`${call}: bad multipart body (${error instanceof Error ? error.message : String(error)})`)),
    );
    parser.on("close", () => resolve());
  });
  // Awaited only after the body is read; until then a parse error must not go unhandled.
  parsed.catch(() => undefined);
  const tooLarge = `${call}: the request body is larger than ${limit} bytes`;
  const { ended } = await consumeBody(req, limit, tooLarge, (chunk) => {
    parser.write(chunk);
  });
  if (!ended) throw badRequest(`${call}: the request body ended early`);
  parser.end();
  await parsed;
  return value;
}
