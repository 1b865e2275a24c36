import { ArchiveError } from "../errors.js";
import { quote } from "./quote.js";
import type { ArchiveEntry } from "./types.js";
import { describeZipEntry, undecodableReason } from "./zip-entry-info.js";
import { openEntry, openZip, readLinkText, zipEntries } from "./zip-file.js";

/** A zip's entries as the writer takes them, streamed one at a time. */
export async function* zipSource(archivePath: string): AsyncGenerator<ArchiveEntry> {
  const zip = await openZip(archivePath);
  for await (const entry of zipEntries(zip)) {
    const info = describeZipEntry(entry);
    const undecodable = info.kind === "file" || info.kind === "symlink" ? undecodableReason(entry) : undefined;
    if (undecodable !== undefined) throw new ArchiveError(`${archivePath}: entry ${quote(info.name)}: ${undecodable}.`);
    const linkTarget = info.kind === "symlink" ? await readLinkText(zip, entry) : undefined;
    yield {
      name: info.name,
      kind: info.kind,
      mode: info.mode,
      linkTarget,
      declaredSize: info.kind === "file" ? entry.uncompressedSize : undefined,
      open: () => openEntry(zip, entry, archivePath, info.name),
    };
  }
}
