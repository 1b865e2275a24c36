import { crc32 } from "node:zlib";
import yauzl, { type Entry, type ZipFile } from "yauzl";
import { ArchiveError } from "../errors.js";
import { quote } from "./quote.js";

// PATH_MAX: a symlink's text is never longer, so a longer one is not a link.
const MAX_LINK_TEXT = 4096;

/**
 * Opens a zip for one pass over its entries. yauzl reads through the file
 * descriptor on demand, so memory stays flat and zip64 archives past 4 GiB work.
 * Names are decoded here rather than by yauzl, whose own name checks would stop
 * with an anonymous error instead of the message the writer gives.
 */
export async function openZip(archivePath: string): Promise<ZipFile> {
  try {
    return await yauzl.openPromise(archivePath, {
      lazyEntries: true,
      autoClose: true,
      decodeStrings: false,
      validateEntrySizes: true,
      strictFileNames: false,
    });
  } catch (error) {
    throw new ArchiveError(`${archivePath}: not a readable zip archive (${messageOf(error)}); it may be truncated or damaged.`, {
      cause: error,
    });
  }
}

/** Entries in central-directory order; one is read only when the previous is done with. */
export async function* zipEntries(zip: ZipFile): AsyncGenerator<Entry> {
  let failure: unknown;
  let waiting: { resolve: (entry: Entry | undefined) => void; reject: (error: unknown) => void } | undefined;
  // Listeners stay for the whole pass: yauzl may report an error when nobody is waiting.
  zip.on("entry", (entry: Entry) => waiting?.resolve(entry));
  zip.on("end", () => waiting?.resolve(undefined));
  zip.on("error", (error: unknown) => {
    failure ??= error;
    waiting?.reject(error);
  });
  try {
    for (;;) {
      if (failure !== undefined) throw failure;
      const next = new Promise<Entry | undefined>((resolve, reject) => (waiting = { resolve, reject }));
      zip.readEntry();
      const entry = await next;
      waiting = undefined;
      if (entry === undefined) return;
      yield entry;
    }
  } finally {
    if (zip.isOpen) zip.close();
  }
}

export async function openEntry(zip: ZipFile, entry: Entry, archivePath: string, name: string): Promise<AsyncIterable<Buffer>> {
  return checkCrc(await zip.openReadStreamPromise(entry), entry.crc32, archivePath, name);
}

// yauzl checks sizes but not CRC-32: damage inside a stored or deflated block would pass unseen.
async function* checkCrc(stream: AsyncIterable<Buffer>, expected: number, archivePath: string, name: string): AsyncGenerator<Buffer> {
  let crc = 0;
  for await (const chunk of stream) {
    crc = crc32(chunk, crc);
    yield chunk;
  }
  if (crc !== expected) {
    throw new ArchiveError(`${archivePath}: entry ${quote(name)} is damaged (its CRC-32 does not match); the archive is corrupt.`);
  }
}

/** In a zip a symlink's target is its content. */
export async function readLinkText(zip: ZipFile, entry: Entry): Promise<string | undefined> {
  if (entry.uncompressedSize > MAX_LINK_TEXT) return undefined;
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of await zip.openReadStreamPromise(entry)) {
    length += chunk.length;
    if (length > MAX_LINK_TEXT) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
