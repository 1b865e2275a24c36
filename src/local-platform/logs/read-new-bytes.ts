import { open } from "node:fs/promises";
import { readBuffer } from "../../fs/read-buffer.js";

/**
 * The bytes of `file` from `offset`, at most `maxBytes` of them; empty when it has no more (or is
 * gone). Opened afresh on each call: the server replaces a live log by a rename when the runner sends
 * it again from its start, and a handle kept open would go on reading the old file.
 */
export async function readNewBytes(file: string, offset: number, maxBytes: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return Buffer.alloc(0);
    throw error;
  }
  try {
    const size = (await handle.stat()).size;
    // A rewrite from the start is smaller for a while: it is the same log sent again, so nothing is
    // read until it grows past what was read already.
    const length = Math.min(maxBytes, size - offset);
    if (length <= 0) return Buffer.alloc(0);
    const buffer = readBuffer(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
