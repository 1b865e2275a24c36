import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { PIECE_BYTES } from "./piece-bytes.js";
import { readBuffer } from "./read-buffer.js";

/**
 * The sha256 of a file, read in 1 MiB pieces into two buffers in turn: the next piece is read (in
 * libuv's thread pool) while the current one is hashed, so reading and hashing overlap and the
 * whole takes about as long as the hashing alone. Memory: two pieces, whatever the file's size.
 */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  const handle = await open(path, "r");
  try {
    let current = readBuffer(PIECE_BYTES);
    let next = readBuffer(PIECE_BYTES);
    let position = 0;
    let reading = handle.read(current, 0, PIECE_BYTES, 0);
    for (;;) {
      const { bytesRead } = await reading;
      if (bytesRead === 0) break;
      position += bytesRead;
      reading = handle.read(next, 0, PIECE_BYTES, position);
      hash.update(current.subarray(0, bytesRead));
      [current, next] = [next, current];
    }
  } finally {
    await handle.close();
  }
  return hash.digest("hex");
}
