import { ArchiveError } from "../errors.js";
import { quote } from "./quote.js";
import type { ExtractProgress } from "./types.js";
import { formatBytes } from "../log/format-bytes.js";

// Progress inside one large file, so a multi-GiB entry does not look stuck.
const REPORT_EVERY_BYTES = 32 * 1024 * 1024;

export interface Limits {
  maxTotalBytes: number;
  maxEntries: number;
}

/**
 * The running count of what was unpacked. Bytes are the ones actually written,
 * counted as they stream: headers can lie, the data cannot.
 */
export class Tally {
  entries = 0;
  bytes = 0;
  private reportedAt = 0;

  constructor(
    private readonly archivePath: string,
    private readonly limits: Limits,
    private readonly onProgress: ((progress: ExtractProgress) => void) | undefined,
  ) {}

  addEntry(): void {
    this.entries += 1;
    if (this.entries > this.limits.maxEntries) throw tooManyEntries(this.archivePath, this.limits.maxEntries);
  }

  addBytes(count: number, entryName: string): void {
    this.bytes += count;
    if (this.bytes > this.limits.maxTotalBytes) throw tooLarge(this.archivePath, entryName, this.limits.maxTotalBytes);
    if (this.bytes - this.reportedAt >= REPORT_EVERY_BYTES) this.report();
  }

  report(): void {
    this.reportedAt = this.bytes;
    this.onProgress?.({ entries: this.entries, bytes: this.bytes });
  }
}

export function tooLarge(archivePath: string, entryName: string, limit: number, declared = false): ArchiveError {
  const what = declared ? "its entries declare more than" : "unpacking passed";
  return new ArchiveError(
    `${archivePath}: stopped at entry ${quote(entryName)}: ${what} the limit of ${formatBytes(limit)} ` +
      `(${limit} bytes) of unpacked data. If the archive is genuine, raise the option "maxUnpackBytes" in config.json.`,
  );
}

export function tooManyEntries(archivePath: string, limit: number): ArchiveError {
  return new ArchiveError(`${archivePath}: the archive has more than ${limit} entries, the most one unpack may hold.`);
}
