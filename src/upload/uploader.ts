import { randomUUID } from "node:crypto";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { RunNodeSlug, TreeNode } from "../platform/types.js";
import { BoundedPool } from "./bounded-pool.js";
import { sendLiveGrowth, type LiveFile } from "./live-file.js";
import { outputEntry, storedNameFor } from "./output-entry.js";
import { basenameOf, outputKind } from "./output-kind.js";
import { scanFiles } from "./scan-outputs.js";
import type { RunMetadata, UploadTarget } from "./upload-target.js";
import { uploadWholeFile } from "./whole-file.js";

export interface UploaderOptions {
  outputsDir: string;
  target: UploadTarget;
  metadata: RunMetadata;
  useV2: boolean;
  /** Uploads at once (default 4). */
  concurrency: number;
  /** Least time between two appends of one live file (default 1 s). */
  liveIntervalMs: number;
  chunkSize: number;
  /** A new entry for the run node (the caller sends the node). */
  onEntry: (slug: RunNodeSlug, entry: TreeNode & { id: string }) => void;
  warn: (message: string) => void;
}

interface WholeState {
  id: string;
  storedName: string;
  /** size:mtime of the version the platform has. */
  sentVersion?: string;
}

export interface FinalPassProgress {
  doneBytes: number;
  totalBytes: number;
}

/**
 * Sends outputs/ to the platform: live files (logs, plots, media) as they grow, through a bounded
 * pool fed with paths; every other file whole after the solver, in the final pass.
 */
export class Uploader {
  private readonly pool: BoundedPool;
  private readonly live = new Map<string, LiveFile & { id: string; lastSend: number; timer?: NodeJS.Timeout }>();
  private readonly whole = new Map<string, WholeState>();
  private readonly failures = new Map<string, string>();
  private final = false;
  private progress: ((bytes: number) => void) | undefined;

  constructor(private readonly options: UploaderOptions) {
    this.pool = new BoundedPool(options.concurrency, (path) => this.send(path), (path, error) => this.failed(path, error));
  }

  /** A file under outputs/ was added or changed (path relative to outputs/). */
  notify(path: string): void {
    const kind = outputKind(path);
    if (kind.kind !== "live" || this.final) return;
    const file = this.liveFile(path, kind.slug, kind.isAscii);
    if (file.timer) return;
    const wait = file.lastSend + this.options.liveIntervalMs - Date.now();
    if (wait <= 0) this.pool.push(path);
    else
      file.timer = setTimeout(() => {
        file.timer = undefined;
        this.pool.push(path);
      }, wait);
  }

  /**
   * After the solver: every file under outputs/ is sent as it now is (what the watcher missed too),
   * and the pass ends when the queue is empty. Returns the files that could not be sent.
   */
  async finalPass(onProgress?: (p: FinalPassProgress) => void): Promise<{ failed: { path: string; error: string }[] }> {
    this.final = true;
    for (const file of this.live.values()) if (file.timer) clearTimeout(file.timer);
    await this.pool.idle();
    this.failures.clear();
    const queued: { path: string; size: number }[] = [];
    for await (const file of scanFiles(this.options.outputsDir)) {
      const kind = outputKind(file.path);
      if (kind.kind === "skip") continue;
      if (kind.kind === "file" && this.whole.get(file.path)?.sentVersion === `${file.size}:${file.mtimeMs}`) continue;
      if (kind.kind === "live") this.liveFile(file.path, kind.slug, kind.isAscii);
      queued.push({ path: file.path, size: file.size });
    }
    const progress: FinalPassProgress = { doneBytes: 0, totalBytes: queued.reduce((s, q) => s + q.size, 0) };
    this.progress = (bytes) => {
      progress.doneBytes += bytes;
      onProgress?.(progress);
    };
    onProgress?.(progress);
    queued.forEach((q) => this.pool.push(q.path));
    await this.pool.idle();
    this.progress = undefined;
    return { failed: [...this.failures].map(([path, error]) => ({ path, error })) };
  }

  private liveFile(path: string, slug: "logs" | "plots" | "media", isAscii: boolean) {
    let file = this.live.get(path);
    if (!file) {
      const id = randomUUID();
      file = {
        id,
        storedName: storedNameFor(id, path, slug),
        isAscii,
        metadata: this.metadataFor(path),
        offset: 0,
        head: Buffer.alloc(0),
        restart: false,
        sentOnce: false,
        lastSend: 0,
      };
      this.live.set(path, file);
    }
    return file;
  }

  private async send(path: string): Promise<void> {
    const kind = outputKind(path);
    const abs = join(this.options.outputsDir, ...path.split("/"));
    if (kind.kind === "live") {
      const file = this.liveFile(path, kind.slug, kind.isAscii);
      file.lastSend = Date.now();
      const before = file.sentOnce;
      const sent = await sendLiveGrowth(this.options.target, file, abs, this.options.chunkSize);
      this.progress?.(sent);
      if (!before && file.sentOnce) {
        this.options.onEntry(kind.slug, outputEntry(kind.slug, file.id, path, file.storedName, this.options.metadata.simulation));
      }
      this.failures.delete(path);
      return;
    }
    if (kind.kind !== "file") return;
    let state = this.whole.get(path);
    if (!state) {
      const id = randomUUID();
      state = { id, storedName: storedNameFor(id, path, "downloadables") };
      this.whole.set(path, state);
    }
    const before = await stat(abs);
    await uploadWholeFile(this.options.target, abs, {
      storedName: state.storedName,
      metadata: this.metadataFor(path),
      useV2: this.options.useV2,
      chunkSize: this.options.chunkSize,
      onBytes: (bytes) => this.progress?.(bytes),
    });
    const isNewEntry = state.sentVersion === undefined;
    state.sentVersion = `${before.size}:${before.mtimeMs}`;
    if (isNewEntry) {
      this.options.onEntry("downloadables", outputEntry("downloadables", state.id, path, state.storedName, this.options.metadata.simulation));
    }
    this.failures.delete(path);
  }

  private failed(path: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (!this.failures.has(path) && !this.final) this.options.warn(`${path}: not sent yet (${message}); it is sent again later`);
    this.failures.set(path, message);
  }

  private metadataFor(path: string) {
    return { ...this.options.metadata, originalname: basenameOf(path), path };
  }
}
