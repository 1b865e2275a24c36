import { checkEntryName, isAbsoluteAnywhere, normaliseSegments } from "./entry-name.js";
import { quote } from "./quote.js";
import { refusedEntry } from "./refusal.js";
import { tooLarge, tooManyEntries, type Limits } from "./tally.js";
import { describeZipEntry, undecodableReason } from "./zip-entry-info.js";
import { openZip, readLinkText, zipEntries } from "./zip-file.js";

/**
 * A zip's central directory lists every entry up front, so a hostile or
 * oversized zip can be refused before anything is written. This pass reads
 * only the directory and the (tiny) symlink entries. The write pass checks
 * everything again against the real file system: this one is the cheap early
 * answer, not the guard.
 */
export async function scanZip(archivePath: string, limits: Limits): Promise<void> {
  const zip = await openZip(archivePath);
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw tooManyEntries(archivePath, limits.maxEntries);
  }
  let declared = 0;
  for await (const entry of zipEntries(zip)) {
    const info = describeZipEntry(entry);
    const refuse = (reason: string) => refusedEntry(archivePath, info.name, reason);
    const name = checkEntryName(info.name);
    if (!name.ok) throw refuse(name.reason);
    if (info.kind === "skip" || info.kind === "directory") continue;
    const undecodable = undecodableReason(entry);
    if (undecodable !== undefined) throw refuse(undecodable);
    if (info.kind === "file") {
      declared += entry.uncompressedSize;
      if (declared > limits.maxTotalBytes) throw tooLarge(archivePath, info.name, limits.maxTotalBytes, true);
      continue;
    }
    const text = await readLinkText(zip, entry);
    if (text === undefined) throw refuse("it is a symlink whose target is longer than any path");
    const reason = linkLeavesLexically(name.segments, text.replace(/\\/g, "/"));
    if (reason !== undefined) throw refuse(reason);
  }
}

function linkLeavesLexically(linkSegments: readonly string[], text: string): string | undefined {
  // Absolute targets may still point inside; only the real walk when writing can tell.
  if (isAbsoluteAnywhere(text)) return undefined;
  const resolved = normaliseSegments([...linkSegments.slice(0, -1), ...text.split("/")]);
  if (resolved === undefined) return `it is a symlink to ${quote(text)}, which leads out of the target folder`;
  return undefined;
}
