export interface ExtractOptions {
  /** Zip-bomb guard: unpacking stops once the bytes actually written pass this (default 20 GiB). */
  maxTotalBytes?: number;
  /** Default 1_000_000. Skipped entries (devices, fifos) count too: they still cost work. */
  maxEntries?: number;
  /** Called after each entry, and every few MiB inside a large one. */
  onProgress?: (progress: ExtractProgress) => void;
}

export interface ExtractProgress {
  entries: number;
  bytes: number;
}

/** `entries` counts every entry read, skipped ones included; `bytes` is what was written to disk. */
export type ExtractResult = ExtractProgress;

export type EntryKind = "file" | "directory" | "symlink" | "hardlink" | "skip";

/** One entry of a zip or a tar, in the shape the single write path takes. */
export interface ArchiveEntry {
  /** The name as the archive stores it: unchecked, possibly hostile. */
  readonly name: string;
  readonly kind: EntryKind;
  /** Permission bits from the archive, when it records them. */
  readonly mode: number | undefined;
  /** Symlink: the link text. Hard link: a name relative to the archive root. */
  readonly linkTarget: string | undefined;
  /** What the header claims; used only to notice truncation, never to size anything. */
  readonly declaredSize: number | undefined;
  /** The file's bytes; called at most once, for files only. */
  open(): Promise<AsyncIterable<Buffer>>;
}
