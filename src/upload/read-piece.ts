import type { FileHandle } from "node:fs/promises";
import { readBuffer } from "../fs/read-buffer.js";

/**
 * Reads up to `length` bytes at `position`: one bounded buffer, never the whole file; into `into`
 * (at its start) when it is given and long enough.
 */
export async function readPiece(handle: FileHandle, position: number, length: number, into?: Buffer): Promise<Buffer> {
  const buffer = into && into.length >= length ? into.subarray(0, length) : readBuffer(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === length ? buffer : buffer.subarray(0, filled);
}

/**
 * Where a text append may end: after the last line end in `bytes`, or, with no line end,
 * at the last complete UTF-8 character (protocol.md: a text append ends on a character boundary).
 */
export function textCut(bytes: Buffer): number {
  const newline = bytes.lastIndexOf(0x0a);
  if (newline >= 0) return newline + 1;
  let end = bytes.length;
  // Step back over a trailing, incomplete multi-byte sequence.
  let back = 0;
  while (back < 4 && end - back - 1 >= 0 && ((bytes[end - back - 1] as number) & 0xc0) === 0x80) back++;
  const lead = end - back - 1;
  if (lead >= 0) {
    const b = bytes[lead] as number;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    if (need > back + 1) end = lead;
  }
  return end;
}
