import { createReadStream } from "node:fs";
import { Parser, type ReadEntry, types as tarTypes } from "tar";
import { ArchiveError } from "../errors.js";
import { quote } from "./quote.js";
import type { ArchiveEntry, EntryKind } from "./types.js";

const KINDS: Record<string, EntryKind> = {
  File: "file",
  OldFile: "file",
  ContiguousFile: "file",
  Directory: "directory",
  GNUDumpDir: "directory",
  SymbolicLink: "symlink",
  Link: "hardlink",
};

/**
 * A tar or tar.gz's entries as the writer takes them. tar's Parser does the
 * header work (pax, GNU long names, gzip); the writing is ours, so tar and zip
 * share one set of checks. The parser hands out the next entry only once the
 * current one is drained, and the file stream pauses while an entry waits.
 */
export async function* tarSource(archivePath: string): AsyncGenerator<ArchiveEntry> {
  const parser = new Parser({
    strict: true, // a checksum failure or a truncated body is an error, not a warning
    // The byte limit, counted on what is written, is the bomb guard; a ratio
    // guard would refuse honest archives of very regular data (zeroed fields).
    maxDecompressionRatio: Infinity,
  });
  const queue: ReadEntry[] = [];
  let current: ReadEntry | undefined;
  let ended = false;
  let sawEndBlocks = false;
  let failure: ArchiveError | undefined;
  let wake: (() => void) | undefined;
  const poke = () => wake?.();

  const fail = (error: unknown) => {
    // tar calls an archive of nothing but its two end blocks unrecognised; tools make such
    // archives from empty folders, so it is an empty archive, not a broken one.
    if (sawEndBlocks && current === undefined && (error as { tarCode?: string }).tarCode === "TAR_BAD_ARCHIVE") return;
    failure ??= error instanceof ArchiveError ? error : notReadable(archivePath, error);
    // A parser that gave up never ends the entry being read; end it with the error.
    if (current !== undefined && !current.emittedEnd) {
      current.on("error", () => {}); // the reader, if any, gets the error when it next asks
      current.destroy(failure);
    }
    poke();
  };

  parser.on("entry", (entry: ReadEntry) => {
    queue.push(entry);
    poke();
  });
  parser.on("ignoredEntry", (entry: ReadEntry) => {
    if (isLossless(entry.type)) return;
    fail(new ArchiveError(`${archivePath}: entry ${quote(entry.path)} has the tar type ${entry.type}, which cannot be unpacked.`));
  });
  parser.on("eof", () => (sawEndBlocks = true));
  parser.on("end", () => {
    ended = true;
    poke();
  });
  parser.on("error", fail);
  const file = createReadStream(archivePath);
  file.on("error", fail);
  file.pipe(parser as unknown as NodeJS.WritableStream);

  try {
    for (;;) {
      // What the writer left unread (links, skipped entries) is drained, or the parser stalls.
      current?.resume();
      if (failure !== undefined) throw failure;
      const entry = queue.shift();
      if (entry !== undefined) {
        current = entry;
        yield toArchiveEntry(entry);
        continue;
      }
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    file.unpipe();
    file.destroy();
  }
}

// tar's parser passes over what it cannot unpack. Metadata, ACLs and volume labels
// lose nothing; a sparse file, a continued file or an unknown type would go missing
// without a word, so those stop the unpack instead.
const LOSSY_TYPES = new Set(["SparseFile", "ContinuationFile"]);
const KNOWN_TYPES = new Set<string>(tarTypes.name.values());

function isLossless(type: string): boolean {
  return KNOWN_TYPES.has(type) && !LOSSY_TYPES.has(type);
}

function toArchiveEntry(entry: ReadEntry): ArchiveEntry {
  const kind = KINDS[entry.type] ?? "skip";
  return {
    name: entry.path,
    kind,
    mode: entry.mode,
    linkTarget: entry.linkpath,
    declaredSize: kind === "file" ? entry.size : undefined,
    open: async () => entry,
  };
}

function notReadable(archivePath: string, error: unknown): ArchiveError {
  const message = error instanceof Error ? error.message : String(error);
  return new ArchiveError(`${archivePath}: not a readable tar archive (${message}); it may be truncated or damaged.`, { cause: error });
}
