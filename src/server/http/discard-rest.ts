import type { IncomingMessage } from "node:http";

/** More than this after an early answer and the connection is cut instead of read to its end. */
const DISCARD_CAP_BYTES = 64 * 1024 * 1024;

/**
 * After an early answer (413, 400) the rest of the body is read and dropped, so that the client,
 * still sending, gets to read the answer instead of a reset. Nothing is kept; past a cap the
 * socket is destroyed.
 */
export function discardRest(req: IncomingMessage): void {
  if (req.readableEnded || req.destroyed) return;
  let dropped = 0;
  req.removeAllListeners("data");
  req.on("data", (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DISCARD_CAP_BYTES) req.socket.destroy();
  });
  req.on("error", () => undefined);
  req.resume();
}
