import { ArchiveError } from "../errors.js";
import { detectFormat } from "./detect-format.js";
import { EntryWriter } from "./entry-writer.js";
import { scanZip } from "./scan-zip.js";
import { Tally, type Limits } from "./tally.js";
import { tarSource } from "./tar-source.js";
import { TargetDir } from "./target-dir.js";
import type { ArchiveEntry, ExtractOptions, ExtractResult } from "./types.js";
import { zipSource } from "./zip-source.js";

export const DEFAULT_MAX_TOTAL_BYTES = 20 * 1024 ** 3;
export const DEFAULT_MAX_ENTRIES = 1_000_000;

/**
 * Unpacks a zip, tar.gz or tar into `targetDir`, streaming. Nothing is ever
 * written outside `targetDir`. A zip is checked whole before the first write;
 * a tar is checked entry by entry (checking first would mean unzipping it twice),
 * so on a refusal the entries before it may remain inside `targetDir`.
 */
export async function extractArchive(archivePath: string, targetDir: string, options: ExtractOptions = {}): Promise<ExtractResult> {
  const limits = checkLimits(options);
  const tally = new Tally(archivePath, limits, options.onProgress);
  try {
    const format = await detectFormat(archivePath);
    if (format === "zip") await scanZip(archivePath, limits);
    const writer = new EntryWriter(archivePath, await TargetDir.open(targetDir), tally);
    const source: AsyncIterable<ArchiveEntry> = format === "zip" ? zipSource(archivePath) : tarSource(archivePath);
    for await (const entry of source) await writer.write(entry);
    await writer.verifyLinks();
  } catch (error) {
    if (error instanceof ArchiveError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new ArchiveError(`${archivePath}: unpacking into ${targetDir} failed: ${message}`, { cause: error });
  }
  return { entries: tally.entries, bytes: tally.bytes };
}

function checkLimits(options: ExtractOptions): Limits {
  const maxTotalBytes = options.maxTotalBytes ?? DEFAULT_MAX_TOTAL_BYTES;
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  if (!(maxTotalBytes > 0)) throw new RangeError(`extractArchive: "maxTotalBytes" must be a positive number of bytes (got ${String(maxTotalBytes)})`);
  if (!(maxEntries > 0)) throw new RangeError(`extractArchive: "maxEntries" must be a positive number (got ${String(maxEntries)})`);
  return { maxTotalBytes, maxEntries };
}
