import type { Readable } from "node:stream";
import { BadAnswer, parseJsonAnswer } from "./answer-shape.js";
import { capabilitiesOf, completeUploadOf, offsetOf, openUploadOf } from "./answers.js";
import { jsonBody, octetBody, pathOf } from "./bodies.js";
import { UploadOffsetConflict } from "./call-error.js";
import { call, type CallContext } from "./call.js";
import type { SelfWrittenBody } from "./http.js";
import { textAnswer } from "./run-calls.js";
import type { Capabilities, CompleteUploadAnswer, OpenUploadAnswer, OpenUploadBody, UploadOffsetAnswer } from "./types.js";

/** Capabilities and resumable uploads (protocol.md part 3). */

const V1_ONLY: Capabilities = { uploads: ["v1"], events: [] };

/** A v1-only server does not know the route: 404, or 405 / 501 from servers that say so differently. */
export function capabilities(ctx: CallContext): Promise<Capabilities> {
  return call(ctx, {
    name: "read capabilities",
    method: "GET",
    path: pathOf("runner", "capabilities"),
    // What a platform that predates the call may answer an unknown route with (a 404 most often).
    accept: [400, 403, 404, 405, 406, 410, 501],
    read: (answer) => {
      if (answer.status >= 400) return v1Only();
      // A 2xx that is not a capabilities answer is not a v2 server either: an app's index.html
      // served for every unknown path, a gateway's page. The run goes on in v1, as protocol.md
      // wants of a runner against a v1-only server, instead of failing before its run node exists.
      try {
        return capabilitiesOf(parseJsonAnswer(textAnswer(answer)));
      } catch {
        return v1Only();
      }
    },
  });
}

function v1Only(): Capabilities {
  return { uploads: [...V1_ONLY.uploads], events: [] };
}

export function openUpload(ctx: CallContext, body: OpenUploadBody): Promise<OpenUploadAnswer> {
  return call(ctx, {
    name: `open upload of ${body.filename}`,
    method: "POST",
    path: pathOf("storage", "uploads"),
    body: jsonBody(body),
    read: (answer) => openUploadOf(parseJsonAnswer(textAnswer(answer))),
  });
}

/**
 * The bytes to send: a Buffer, or a function that makes a fresh stream (or body that writes
 * itself) for every try. A bare stream can be sent only once, so it gets one try.
 */
export type UploadBytes = Buffer | Readable | (() => Readable | SelfWrittenBody);

/** Sends `length` bytes at `offset`. A 409 throws an UploadOffsetConflict carrying the platform's offset. */
export async function sendUploadBytes(
  ctx: CallContext,
  uploadId: string,
  offset: number,
  bytes: UploadBytes,
  length: number,
): Promise<UploadOffsetAnswer> {
  if (Buffer.isBuffer(bytes) && bytes.length !== length) {
    throw new RangeError(`sendUploadBytes: length ${length} differs from the buffer's ${bytes.length} bytes`);
  }
  const replayable = Buffer.isBuffer(bytes) || typeof bytes === "function";
  const make = typeof bytes === "function" ? bytes : () => bytes;
  return call(ctx, {
    name: `send bytes of upload ${uploadId}`,
    method: "PATCH",
    path: pathOf("storage", "uploads", uploadId),
    headers: { "Upload-Offset": String(offset) },
    body: octetBody(make, length),
    accept: [409],
    ...(replayable ? {} : { tries: 1 }),
    read: (answer, label) => {
      if (answer.status !== 409) return offsetOf(parseJsonAnswer(textAnswer(answer)));
      let held: number;
      try {
        held = offsetOf(parseJsonAnswer(textAnswer(answer))).offset;
      } catch (error) {
        throw new BadAnswer(`409 without the offset the platform holds: ${(error as Error).message}`, 409);
      }
      throw new UploadOffsetConflict(label, held, offset, [ctx.token]);
    },
  });
}

export function uploadOffset(ctx: CallContext, uploadId: string): Promise<number> {
  return call(ctx, {
    name: `ask the offset of upload ${uploadId}`,
    method: "HEAD",
    path: pathOf("storage", "uploads", uploadId),
    read: (answer) => {
      const header = answer.headers["upload-offset"];
      if (header === undefined || !/^\d+$/.test(header.trim())) {
        throw new BadAnswer(
          `the platform answered ${answer.status} without a valid Upload-Offset header (got ${header === undefined ? "none" : JSON.stringify(header)})`,
        );
      }
      return Number(header.trim());
    },
  });
}

/** 422: the bytes the platform holds do not hash to the sha256 the upload was opened with. */
export function completeUpload(ctx: CallContext, uploadId: string): Promise<CompleteUploadAnswer> {
  return call(ctx, {
    name: `complete upload ${uploadId}`,
    method: "POST",
    path: pathOf("storage", "uploads", uploadId, "complete"),
    accept: [422],
    read: (answer) => {
      if (answer.status === 422) {
        throw new BadAnswer(
          "digest mismatch (422): the bytes the platform holds do not match the sha256 the upload was opened with; send the file again as a new upload",
          422,
        );
      }
      return completeUploadOf(parseJsonAnswer(textAnswer(answer)));
    },
  });
}
