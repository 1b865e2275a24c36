import { readFile, rename, writeFile } from "node:fs/promises";

/** What the platform has of one output (debug/uploads.json). */
export interface JournalEntry {
  kind: "live" | "file";
  /** The run node entry's id; the stored filename derives from it. */
  id: string;
  storedName: string;
  size: number;
  mtimeMs: number;
  sha256?: string;
  /** v2 upload id, when the file went through v2. */
  uploadId?: string;
  /** Bytes the platform has (appended, or received by v1 chunks or v2). */
  offset: number;
  /** The whole file, as of size and mtime, is on the platform. */
  done: boolean;
}

export interface JournalData {
  version: 1;
  /** The run node these uploads belong to. */
  runId?: string;
  files: Record<string, JournalEntry>;
}

/**
 * The resume journal: a restarted runner (or `sync`) sends only what the platform lacks. Written
 * atomically (temp file + rename) so a runner killed mid-write leaves the previous version whole;
 * saves are coalesced, since a run with thousands of files changes it thousands of times.
 */
export class UploadJournal {
  private saving: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;

  private constructor(
    readonly path: string,
    private data: JournalData,
    private readonly saveDelayMs: number,
  ) {}

  static async load(path: string, saveDelayMs = 1000): Promise<UploadJournal> {
    let data: JournalData = { version: 1, files: {} };
    try {
      const parsed = JSON.parse(await readFile(path, "utf8")) as Partial<JournalData>;
      if (parsed && parsed.version === 1 && parsed.files && typeof parsed.files === "object") {
        data = { version: 1, files: parsed.files, ...(typeof parsed.runId === "string" ? { runId: parsed.runId } : {}) };
      }
    } catch {
      // No journal yet, or one from an older format: start a fresh one.
    }
    return new UploadJournal(path, data, saveDelayMs);
  }

  get runId(): string | undefined {
    return this.data.runId;
  }

  /** Entries belong to one run node: another run starts the journal afresh. */
  startRun(runId: string): void {
    if (this.data.runId === runId) return;
    this.data = { version: 1, runId, files: {} };
    this.changed();
  }

  get(path: string): JournalEntry | undefined {
    return this.data.files[path];
  }

  entries(): [string, JournalEntry][] {
    return Object.entries(this.data.files);
  }

  set(path: string, entry: JournalEntry): void {
    this.data.files[path] = entry;
    this.changed();
  }

  /** Writes what changed now and waits for it. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.saving;
    if (this.dirty) await this.save();
  }

  private changed(): void {
    this.dirty = true;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.save();
    }, this.saveDelayMs);
  }

  private save(): Promise<void> {
    this.dirty = false;
    const text = `${JSON.stringify(this.data)}\n`;
    const tmp = `${this.path}.${process.pid}.tmp`;
    this.saving = this.saving
      .then(async () => {
        await writeFile(tmp, text);
        await rename(tmp, this.path);
      })
      .catch(() => {
        // A journal that cannot be written costs a resume, not the run.
        this.dirty = true;
      });
    return this.saving;
  }
}
