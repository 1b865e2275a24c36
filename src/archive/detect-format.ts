import { open } from "node:fs/promises";
import { ArchiveError } from "../errors.js";

export type ArchiveFormat = "zip" | "tar";

// A tar header block: ustar magic at 257; enough for the zip and gzip magic too.
const SNIFF_BYTES = 512;

/**
 * The format by content, never by name: job nodes get files named by id.
 * gzip counts as tar (tar's parser unzips it); a gzip that holds no tar fails there.
 */
export async function detectFormat(archivePath: string): Promise<ArchiveFormat> {
  const head = await readHead(archivePath);
  if (head.length === 0) throw new ArchiveError(`${archivePath}: the archive is empty (0 bytes).`);
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return "zip";
  if (startsWith(head, [0x1f, 0x8b])) return "tar";
  if (head.length >= 262 && head.toString("latin1", 257, 262) === "ustar") return "tar";
  // A tar with no entries is nothing but zero blocks.
  if (head.length === SNIFF_BYTES && head.every((byte) => byte === 0)) return "tar";
  const hex = [...head.subarray(0, 8)].map((byte) => byte.toString(16).padStart(2, "0")).join(" ");
  throw new ArchiveError(
    `${archivePath}: not a zip, tar.gz or tar archive (it starts with the bytes ${hex}); scripts and inputs archives must be one of those.`,
  );
}

async function readHead(archivePath: string): Promise<Buffer> {
  let handle;
  try {
    handle = await open(archivePath, "r");
  } catch (error) {
    throw new ArchiveError(`${archivePath}: cannot open the archive (${(error as Error).message}).`, { cause: error });
  }
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function startsWith(buffer: Buffer, magic: readonly number[]): boolean {
  return magic.every((byte, i) => buffer[i] === byte);
}
