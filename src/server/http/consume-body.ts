import type { IncomingMessage } from "node:http";
import { discardRest } from "./discard-rest.js";
import { HttpError } from "./http-error.js";

export interface Consumed {
  /** Bytes handed to `onChunk` and accepted by it. */
  bytes: number;
  /** False when the client went away before the end of the body. */
  ended: boolean;
}

/**
 * Reads a request body piece by piece, handing each piece to `onChunk` (awaited, so a slow disk
 * slows the client instead of filling memory), and stops with a 413 as soon as the body would pass
 * `limit` bytes: nothing past the limit is ever kept. A declared Content-Length over the limit is
 * refused before anything is read.
 */
export function consumeBody(
  req: IncomingMessage,
  limit: number,
  tooLarge: string,
  onChunk: (chunk: Buffer) => void | Promise<void>,
): Promise<Consumed> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    discardRest(req);
    return Promise.reject(new HttpError(413, tooLarge));
  }
  return new Promise((resolve, reject) => {
    let received = 0;
    let accepted = 0;
    let pending: Promise<void> | undefined;
    let settled = false;

    const stop = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("close", onClose);
      req.off("error", onClose);
    };
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      stop();
      discardRest(req);
      reject(error);
    };
    const finish = (ended: boolean) => {
      if (settled) return;
      const done = () => {
        if (settled) return;
        settled = true;
        stop();
        resolve({ bytes: accepted, ended });
      };
      if (pending) pending.then(done, fail);
      else done();
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        fail(new HttpError(413, tooLarge));
        return;
      }
      const result = onChunk(chunk);
      if (!(result instanceof Promise)) {
        accepted += chunk.length;
        return;
      }
      req.pause();
      pending = result.then(() => {
        accepted += chunk.length;
        pending = undefined;
        if (!settled) req.resume();
      });
      pending.catch(fail);
    };
    const onEnd = () => finish(true);
    const onClose = () => {
      if (!req.readableEnded) finish(false);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("close", onClose);
    req.on("error", onClose);
  });
}

/** The whole body in memory, for the small bodies (JSON, forms) that have a limit. */
export async function readBody(req: IncomingMessage, limit: number, call: string): Promise<Buffer> {
  return Buffer.concat(await readBodyPieces(req, limit, call));
}

/** The whole body in memory as the pieces it came in, for a reader that need not join them. */
export async function readBodyPieces(req: IncomingMessage, limit: number, call: string): Promise<Buffer[]> {
  const pieces: Buffer[] = [];
  const { ended } = await consumeBody(req, limit, `${call}: the request body is larger than ${limit} bytes`, (piece) => {
    pieces.push(piece);
  });
  if (!ended) throw new HttpError(400, `${call}: the request body ended early`);
  return pieces;
}
