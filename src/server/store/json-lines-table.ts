import { appendFileSync, readFileSync } from "node:fs";
import { withFolderOnDemand } from "./folder-on-demand.js";
import { isMissing, writeTextAtomic } from "./json-file.js";

/** A table is compacted when it is loaded with more than this many lines and over half of them outdated. */
const COMPACT_AFTER_LINES = 64;

/**
 * Keyed records in one append-only JSON-lines file: saving a record appends a line, and the last
 * line of a key wins. Appending to a file that exists costs no new file (a record of its own would
 * cost one, the dearest system call on the machines measured; see json-file.ts). The whole table is
 * read on first use and kept in memory; it is rewritten compacted then when most of its lines are
 * outdated, and when a crash left half a line at its end. Written synchronously, like the records.
 */
export class JsonLinesTable<T> {
  private records: Map<string, T> | undefined;

  constructor(
    private readonly file: string,
    private readonly keyOf: (record: T) => string,
  ) {}

  get(key: string): T | undefined {
    return this.load().get(key);
  }

  put(record: T): void {
    const records = this.load();
    const line = `${JSON.stringify(record)}\n`;
    withFolderOnDemand(this.file, () => appendFileSync(this.file, line));
    records.set(this.keyOf(record), record);
  }

  private load(): Map<string, T> {
    if (this.records) return this.records;
    const records = new Map<string, T>();
    let text = "";
    try {
      text = readFileSync(this.file, "utf8");
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    let lines = 0;
    let broken = false;
    for (const line of text.split("\n")) {
      if (!line) continue;
      lines++;
      try {
        const record = JSON.parse(line) as T;
        records.set(this.keyOf(record), record);
      } catch {
        // Half a line, left by a crash in the middle of an append: the record before it stands.
        broken = true;
      }
    }
    if (broken || (lines > COMPACT_AFTER_LINES && lines > 2 * records.size)) {
      writeTextAtomic(this.file, [...records.values()].map((r) => `${JSON.stringify(r)}\n`).join(""));
    }
    this.records = records;
    return records;
  }
}
