import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { PIECE_BYTES } from "./piece-bytes.js";
import { readBuffer } from "./read-buffer.js";

/**
 * The sha256 of a file, read in 1 MiB pieces into two buffers in turn: the next piece is read (in
 * libuv's thread pool) while the current one is hashed, so reading and hashing overlap and the
 * whole takes about as long as the hashing alone. Memory: two pieces, whatever the file's size.
 * With `length`, exactly the first `length` bytes: the digest of the size an upload is opened
 * with, however the file grows meanwhile; a file that ends before them fails (it changed).
 */
export async function fileSha256(path: string, length?: number): Promise<string> {
  const hash = createHash("sha256");
  const handle = await open(path, "r");
  try {
    let current = readBuffer(PIECE_BYTES);
    let next = readBuffer(PIECE_BYTES);
    let position = 0;
    const end = length ?? Number.POSITIVE_INFINITY;
    const pieceAt = (at: number) => Math.min(PIECE_BYTES, end - at);
    let reading = handle.read(current, 0, pieceAt(0), 0);
    for (;;) {
      const { bytesRead } = await reading;
      if (bytesRead === 0) break;
      position += bytesRead;
      reading = position < end ? handle.read(next, 0, pieceAt(position), position) : Promise.resolve({ bytesRead: 0, buffer: next });
      hash.update(current.subarray(0, bytesRead));
      [current, next] = [next, current];
    }
    if (length !== undefined && position < length) {
      throw new Error(`${path} ended at ${position} bytes while its first ${length} were being hashed: it changed under the upload`);
    }
  } finally {
    await handle.close();
  }
  return hash.digest("hex");
}
