import { randomUUID } from "node:crypto";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import type { RunNodeSlug, TreeNode } from "../platform/types.js";
import { BoundedPool } from "./bounded-pool.js";
import { refusedAppend, sendLiveGrowth, type LiveFile } from "./live-file.js";
import { outputEntry, storedNameFor } from "./output-entry.js";
import { basenameOf, outputKind, type OutputKind } from "./output-kind.js";
import { isRefusal, OutputRules, scanFiles, type OutputSource } from "./scan-outputs.js";
import type { JournalEntry, UploadJournal } from "./upload-journal.js";
import type { RunMetadata, TargetFailure, UploadTarget } from "./upload-target.js";
import { uploadWholeFile } from "./whole-file.js";

export interface UploaderOptions {
  outputsDir: string;
  target: UploadTarget;
  metadata: RunMetadata;
  journal: UploadJournal;
  useV2: boolean;
  /** Uploads at once (default 4). */
  concurrency: number;
  /** Least time between two appends of one live file (default 1 s). */
  liveIntervalMs: number;
  /**
   * Whole files go in the final pass, after the solver (protocol.md); with this, also during the
   * run, once their size and mtime have not changed for settleMs.
   */
  filesDuringRun: boolean;
  settleMs: number;
  chunkSize: number;
  /** A new entry for the run node (the caller sends the node). */
  onEntry: (slug: RunNodeSlug, entry: TreeNode & { id: string }) => void;
  /** Told after each file sent: for the terminal's upload figures. */
  onSent?: (path: string, bytes: number) => void;
  warn: (message: string) => void;
  info?: (message: string) => void;
  /** Files and folders an output's symbolic link may not lead to: the run's config (it may hold the token), debug/. */
  privatePaths?: readonly string[];
  /** Outputs another part of the runner sends in its own way (visualization sources go into archives). */
  leaveTo?: (path: string) => boolean;
}

/** An output the final pass could not send. */
export interface FailedOutput {
  /** Relative to outputs/. */
  path: string;
  error: string;
}

export interface FinalPassProgress {
  doneBytes: number;
  totalBytes: number;
}

/**
 * Sends of a live file from its start after an append's answer was lost, before it counts as failed.
 * They are paced as the platform client paces its own tries (target.retryDelay): exponential
 * backoff with full jitter from the run's retry tuning, or the answer's Retry-After.
 */
const LIVE_RESTARTS = 5;

/**
 * Sends in a row that failed after all their tries for want of the platform (no answer, a 5xx:
 * not a refusal, which is the file's own) before the final pass stops trying the rest: the
 * platform is down, and each further file would wait through its own backoff (about half a
 * minute with the default tries), hours for thousands of files. What is left goes by `sync`.
 */
export const DOWN_AFTER_FAILURES = 8;

/** Sends again of a whole file that changed under its final-pass send, before it fails. */
const WHOLE_RESENDS = 2;

type Live = LiveFile & { id: string; lastSend: number; timer?: NodeJS.Timeout; listed: boolean };

interface Settling {
  version: string;
  timer: NodeJS.Timeout;
}

/**
 * Sends outputs/ to the platform through a bounded pool fed with paths: live files (logs, plots,
 * media) as they grow, and in the final pass, after the solver, whatever is left: the whole files
 * (also during the run, once settled, with filesDuringRun) and the live files' last bytes.
 * The journal remembers what the platform has, so a restarted runner sends only what is missing.
 */
export class Uploader {
  private readonly pool: BoundedPool;
  private readonly live = new Map<string, Live>();
  private readonly listed = new Set<string>();
  private readonly settling = new Map<string, Settling>();
  private readonly failures = new Map<string, string>();
  private readonly left = new Set<string>();
  /**
   * Whole files as last seen holding still (by their settle check, or by the final pass's scan once
   * the solver is done): sent as that version without a stat of their own.
   */
  private readonly stable = new Map<string, { size: number; mtimeMs: number }>();
  private final = false;
  private reportHtmlIsOutput = false;
  /**
   * Live outputs that are links: the watcher does not follow links (a link to a folder could lead
   * out, or round a loop), so it sees no change of the file one leads to; they are looked at again
   * every live interval instead, until the final pass.
   */
  private readonly linkedLive = new Set<string>();
  private linkedTimer: NodeJS.Timeout | undefined;
  /** What an output may be read as (links, special files): the final scan's rules, for the sends during the run too. */
  private rules: Promise<OutputRules> | undefined;
  /** Outputs refused (a link out, a FIFO), each told once. */
  private readonly refused = new Set<string>();
  /** Sends of a whole file in the final pass that found it changed under them (see sendWhole). */
  private readonly changedUnder = new Map<string, number>();
  /**
   * Final-pass sends that failed in a row for want of the platform (see DOWN_AFTER_FAILURES);
   * undefined until the pass has queued its files (sends queued during the run do not count).
   */
  private failingInARow: number | undefined;
  private readonly stopping = new AbortController();
  private progress: ((bytes: number) => void) | undefined;
  /** The final pass's figures, while it runs: a file sent again adds its size to the total. */
  private passProgress: FinalPassProgress | undefined;

  constructor(private readonly options: UploaderOptions) {
    this.pool = new BoundedPool(options.concurrency, (path) => this.send(path), (path, error) => this.failed(path, error));
  }

  /** A file under outputs/ was added or changed (path relative to outputs/). */
  notify(path: string): void {
    if (this.final) return;
    const kind = this.kindOf(path);
    if (kind.kind === "live") this.scheduleLive(path, kind.slug, kind.isAscii);
    else if (kind.kind === "file" && this.options.filesDuringRun) void this.scheduleSettled(path);
  }

  /**
   * After the solver: every file under outputs/ is sent as it now is (what the watcher missed too),
   * and the pass ends when the queue is empty. Returns the files that could not be sent.
   */
  async finalPass(onProgress?: (p: FinalPassProgress) => void): Promise<{ failed: FailedOutput[] }> {
    this.final = true;
    this.stopFollowingLinks();
    for (const file of this.live.values()) if (file.timer) clearTimeout(file.timer);
    for (const s of this.settling.values()) clearTimeout(s.timer);
    this.settling.clear();
    // What the run queued and has not started is queued again below if it is still unsent; only
    // the sends under way are waited for (a platform down would make each queued one wait through
    // its retries).
    this.pool.drain();
    await this.pool.idle();
    this.failures.clear();
    const queued: { path: string; size: number }[] = [];
    for await (const file of this.scan((path, why) => this.tellRefused(path, why))) {
      const kind = this.kindOf(file.path);
      if (kind.kind === "skip") {
        if (kind.tell) this.tellRefused(file.path, kind.why);
        continue;
      }
      if (kind.kind === "file" && this.isSent(file.path, file.size, file.mtimeMs)) {
        // Its entry too: the run node that listed it may have been refused after the bytes arrived
        // (a restart or `sync` then starts from the node as the platform last accepted it).
        this.listSent(file.path);
        continue;
      }
      if (kind.kind === "live") {
        // What is left to append, as the progress counts a live file's sends: its growth since the
        // last send (the whole file when it shrank, so is sent again).
        const { offset } = this.liveFile(file.path, kind.slug, kind.isAscii);
        queued.push({ path: file.path, size: file.size >= offset ? file.size - offset : file.size });
      } else {
        this.stable.set(file.path, { size: file.size, mtimeMs: file.mtimeMs });
        queued.push({ path: file.path, size: file.size });
      }
    }
    const progress: FinalPassProgress = { doneBytes: 0, totalBytes: queued.reduce((s, q) => s + q.size, 0) };
    this.passProgress = progress;
    this.progress = (bytes) => {
      // A live file found rewritten goes again from its start, more than its growth counted above.
      progress.doneBytes = Math.min(progress.totalBytes, progress.doneBytes + bytes);
      onProgress?.(progress);
    };
    onProgress?.(progress);
    this.failingInARow = 0;
    queued.forEach((q) => this.pool.push(q.path));
    await this.pool.idle();
    this.failingInARow = undefined;
    this.progress = undefined;
    this.passProgress = undefined;
    await this.options.journal.flush();
    return { failed: [...this.failures].map(([path, error]) => ({ path, error })) };
  }

  /**
   * Sends nothing more: no queued or later file starts, no live file is sent again. The sends
   * under way are the caller's to abort (the flush time ran out: it aborts their requests).
   */
  stop(): void {
    this.final = true;
    this.stopFollowingLinks();
    this.stopping.abort();
    for (const file of this.live.values()) if (file.timer) clearTimeout(file.timer);
    for (const s of this.settling.values()) clearTimeout(s.timer);
    this.settling.clear();
    this.pool.stop();
  }

  /**
   * The outputs the platform lacks as the journal records it (paths relative to outputs/, sorted),
   * judged as the final pass judges them: a whole file not done in its current size and mtime, a
   * live file not appended up to its current size; what is sent another way or left out is not.
   */
  async unsent(): Promise<string[]> {
    const unsent: string[] = [];
    for await (const file of this.scan()) {
      const kind = this.kindOf(file.path);
      if (kind.kind === "skip") continue;
      const entry = this.options.journal.get(file.path);
      const sent = kind.kind === "live" ? entry?.kind === "live" && entry.offset === file.size : this.isSent(file.path, file.size, file.mtimeMs);
      if (!sent) unsent.push(file.path);
    }
    return unsent.sort((a, b) => a.localeCompare(b));
  }

  /** Also leaves out what was handed elsewhere for this run (`leave`), e.g. the files packed into an archive. */
  leave(paths: Iterable<string>): void {
    for (const p of paths) this.left.add(p);
  }

  /** A file the runner made itself (an archive, the report): sent whole, under its own stored name, no journal. */
  async sendArtifact(absPath: string, storedName: string, name: string): Promise<void> {
    const { size } = await stat(absPath);
    await uploadWholeFile(this.options.target, absPath, {
      size,
      storedName,
      metadata: { ...this.options.metadata, originalname: name, path: name },
      useV2: this.options.useV2,
      chunkSize: this.options.chunkSize,
    });
    this.options.onSent?.(name, size);
  }

  /**
   * outputs/report.html is the solver's own, not the runner's report (isRunnerReport): sent as an
   * output like any loose file; the runner's report then goes from debug/ (run-report.ts).
   */
  sendReportHtmlAsOutput(): void {
    this.reportHtmlIsOutput = true;
  }

  private kindOf(path: string): OutputKind {
    if (this.left.has(path) || this.options.leaveTo?.(path)) return { kind: "skip" as const, why: "sent another way" };
    if (path === "report.html" && this.reportHtmlIsOutput) return { kind: "file" };
    return outputKind(path);
  }

  private scheduleLive(path: string, slug: "logs" | "plots" | "media", isAscii: boolean): void {
    const file = this.liveFile(path, slug, isAscii);
    if (file.timer) return;
    const wait = file.lastSend + this.options.liveIntervalMs - Date.now();
    if (wait <= 0) this.pool.push(path);
    else
      file.timer = setTimeout(() => {
        file.timer = undefined;
        this.pool.push(path);
      }, wait);
  }

  /** Sends a whole file once its size and mtime have held still for settleMs: never while it is being written. */
  private async scheduleSettled(path: string): Promise<void> {
    // A file already settling is stat'ed again when its timer fires, which sees this change and waits anew.
    if (this.settling.has(path)) return;
    const info = await stat(this.abs(path)).catch(() => undefined);
    if (!info || this.final) return;
    const version = `${info.size}:${info.mtimeMs}`;
    const current = this.settling.get(path);
    if (current) return; // another event's stat got there first
    const timer = setTimeout(() => {
      void stat(this.abs(path))
        .then((now) => {
          this.settling.delete(path);
          if (this.final) return;
          if (`${now.size}:${now.mtimeMs}` !== version) void this.scheduleSettled(path);
          else if (!this.isSent(path, now.size, now.mtimeMs)) {
            this.stable.set(path, { size: now.size, mtimeMs: now.mtimeMs });
            this.pool.push(path);
          }
        })
        .catch(() => this.settling.delete(path));
    }, this.options.settleMs);
    this.settling.set(path, { version, timer });
  }

  /** Every file under outputs/, a link as the file it leads to unless it leads out or to a private path. */
  private async *scan(onSkipped?: (path: string, why: string) => void) {
    yield* scanFiles(this.options.outputsDir, { rules: await this.outputRules(), ...(onSkipped ? { onSkipped } : {}) });
  }

  private isSent(path: string, size: number, mtimeMs: number): boolean {
    const entry = this.options.journal.get(path);
    return Boolean(entry?.done && entry.kind === "file" && entry.size === size && entry.mtimeMs === mtimeMs);
  }

  private liveFile(path: string, slug: "logs" | "plots" | "media", isAscii: boolean): Live {
    let file = this.live.get(path);
    if (!file) {
      // After a restart, the same stored file, sent again from its start: an append's answer may
      // have been lost, and appends carry no offset to check against.
      const known = this.options.journal.get(path);
      const id = known?.kind === "live" ? known.id : randomUUID();
      file = {
        id,
        storedName: known?.kind === "live" ? known.storedName : storedNameFor(id, path, slug),
        isAscii,
        metadata: this.metadataFor(path),
        offset: 0,
        head: Buffer.alloc(0),
        tail: Buffer.alloc(0),
        restart: false,
        sentOnce: false,
        lastSend: 0,
        listed: false,
      };
      this.live.set(path, file);
    }
    return file;
  }

  private async send(path: string): Promise<void> {
    const kind = this.kindOf(path);
    let answered = false;
    if (kind.kind === "live") answered = await this.sendLive(path, kind.slug, kind.isAscii);
    else if (kind.kind === "file") answered = await this.sendWhole(path);
    this.failures.delete(path);
    // Only a call the platform took says it is up: a file with nothing new to send says nothing.
    if (answered && this.failingInARow !== undefined) this.failingInARow = 0;
  }

  /**
   * An append whose answer was lost leaves the file to be sent again from its start (appends carry
   * no offset); that happens here, a few times, each after a wait as protocol.md part 2 #10 asks
   * (Retry-After honoured), so a dropped connection or a 502 does not leave a log unsent until the
   * solver next writes to it, nor fail it in the final pass.
   */
  private async sendLive(path: string, slug: "logs" | "plots" | "media", isAscii: boolean): Promise<boolean> {
    const file = this.liveFile(path, slug, isAscii);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.sendLiveOnce(path, slug, file);
      } catch (error) {
        if (this.stopping.signal.aborted || !file.restart || refusedAppend(error) || attempt >= LIVE_RESTARTS) throw error;
        // A Retry-After may ask for minutes: stop() ends the wait, and the send fails as it stands.
        await delay(this.options.target.retryDelay(attempt, error), undefined, { signal: this.stopping.signal }).catch(() => {
          throw error;
        });
      }
    }
  }

  private followLink(path: string): void {
    if (this.final || this.linkedLive.has(path)) return;
    this.linkedLive.add(path);
    this.linkedTimer ??= setInterval(() => {
      for (const linked of this.linkedLive) this.notify(linked);
    }, Math.max(this.options.liveIntervalMs, 100));
    this.linkedTimer.unref();
  }

  private stopFollowingLinks(): void {
    if (this.linkedTimer) clearInterval(this.linkedTimer);
    this.linkedTimer = undefined;
    this.linkedLive.clear();
  }

  /** Whether the platform was called (and took it). */
  private async sendLiveOnce(path: string, slug: "logs" | "plots" | "media", file: Live): Promise<boolean> {
    file.lastSend = Date.now();
    const source = await this.sourceOf(path);
    if (!source) return false;
    if (source.file !== this.abs(path)) this.followLink(path);
    const { sent, mtimeMs, appended } = await sendLiveGrowth(this.options.target, file, source.file, this.options.chunkSize, this.final);
    this.progress?.(sent);
    if (sent > 0) this.options.onSent?.(path, sent);
    this.options.journal.set(path, { kind: "live", id: file.id, storedName: file.storedName, size: file.offset, mtimeMs, offset: file.offset, done: false });
    this.list(slug, path, file.id, file.storedName);
    return appended;
  }

  /** Whether the platform was called (and took it): not for a file it has in this version already. */
  private async sendWhole(path: string): Promise<boolean> {
    const seen = this.stable.get(path);
    this.stable.delete(path);
    const source = await this.sourceOf(path);
    if (!source) return false;
    const before = seen ?? source;
    const known = this.options.journal.get(path);
    const id = known?.kind === "file" ? known.id : randomUUID();
    const storedName = known?.kind === "file" ? known.storedName : storedNameFor(id, path, "downloadables");
    const sameVersion = known?.kind === "file" && known.size === before.size && known.mtimeMs === before.mtimeMs;
    if (sameVersion && known.done) return false;
    let entry: JournalEntry = { kind: "file", id, storedName, size: before.size, mtimeMs: before.mtimeMs, offset: 0, done: false };
    let sha256: string;
    try {
      ({ sha256 } = await uploadWholeFile(this.options.target, source.file, {
      size: before.size,
      storedName,
      metadata: this.metadataFor(path),
      useV2: this.options.useV2,
      chunkSize: this.options.chunkSize,
      ...(sameVersion && !this.options.useV2 ? { startChunk: Math.floor(known.offset / this.options.chunkSize) } : {}),
      onBytes: (bytes) => this.progress?.(bytes),
      onOffset: (offset, uploadId) => {
        entry = { ...entry, offset, ...(uploadId ? { uploadId } : {}) };
        this.options.journal.set(path, entry);
      },
      onResume: (offset) => this.options.info?.(`resumed outputs/${path} at byte ${offset} of ${before.size}`),
      }));
    } catch (error) {
      // Cut short because it changed (it ended early, its digest no longer matched): sent again as it now is.
      const now = await this.changedSince(path, source, before);
      if (!now) throw error;
      this.sendChangedAgain(path, now, undefined, error);
      return false;
    }
    this.options.journal.set(path, { ...entry, sha256, offset: before.size, done: true });
    this.options.onSent?.(path, before.size);
    this.list("downloadables", path, id, storedName);
    const now = await this.changedSince(path, source, before);
    if (now) this.sendChangedAgain(path, now, before.size);
    return true;
  }

  /** The file as it now is, when it is no longer the version `before` that a send began with; undefined when it is, or is gone. */
  private async changedSince(path: string, source: OutputSource, before: { size: number; mtimeMs: number }): Promise<OutputSource | undefined> {
    const now = await this.sourceOf(path, false);
    const same = now && now.file === source.file && now.ino === source.ino && now.size === before.size && now.mtimeMs === before.mtimeMs;
    return same || !now ? undefined : now;
  }

  /**
   * A whole file that changed while it was being sent (a process the solver left behind still
   * writing it, a rename over it) is not on the platform as it now is: in the final pass it is
   * sent again, at most WHOLE_RESENDS times; during the run, the watcher's next event for it does
   * the same. One that keeps changing is a warning when the platform has a whole version of it
   * (`sentBytes`: the last one sent), a failure when it has none.
   */
  private sendChangedAgain(path: string, now: OutputSource, sentBytes: number | undefined, cause?: unknown): void {
    if (!this.final) return;
    const times = (this.changedUnder.get(path) ?? 0) + 1;
    this.changedUnder.set(path, times);
    if (times > WHOLE_RESENDS) {
      if (sentBytes === undefined) {
        const why = cause instanceof Error ? cause.message : String(cause);
        throw new Error(`it kept changing while it was being sent (${times} tries), and no whole version of it reached the platform (the last try: ${why})`);
      }
      this.options.warn(`outputs/${path} kept changing while it was being sent (${times} times): the platform has the version of ${sentBytes} bytes sent last`);
      return;
    }
    this.options.info?.(`outputs/${path} changed while it was being sent: sending it again`);
    if (this.passProgress) this.passProgress.totalBytes += now.size;
    this.pool.push(path);
  }

  /**
   * What the output may be read as (OutputRules); undefined when it is gone or refused, a refusal
   * told once as the final scan tells it (`tell` false: only looked at).
   */
  private async sourceOf(path: string, tell = true): Promise<OutputSource | undefined> {
    const found = await (await this.outputRules()).source(this.abs(path));
    if (!found || !isRefusal(found)) return found;
    if (tell) this.tellRefused(path, found.why);
    return undefined;
  }

  /** Made once, for the scans and the sends alike. */
  private outputRules(): Promise<OutputRules> {
    return (this.rules ??= OutputRules.of(this.options.outputsDir, { linksNotInto: this.options.privatePaths ?? [] }));
  }

  private tellRefused(path: string, why: string): void {
    if (this.refused.has(path)) return;
    this.refused.add(path);
    this.options.warn(`outputs/${path}: not sent, ${why}`);
  }

  /** A whole file the journal says the platform has, listed under the id and stored name it was sent with. */
  private listSent(path: string): void {
    const entry = this.options.journal.get(path);
    if (entry?.kind === "file") this.list("downloadables", path, entry.id, entry.storedName);
  }

  /** Each output is listed once in the run node (an upsert by id, so a resumed run lists it once too). */
  private list(slug: RunNodeSlug, path: string, id: string, storedName: string): void {
    if (this.listed.has(path)) return;
    this.listed.add(path);
    this.options.onEntry(slug, outputEntry(slug, id, path, storedName, this.options.metadata.simulation));
  }

  private failed(path: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (!this.failures.has(path) && !this.final) this.options.warn(`${path}: not sent yet (${message}); it is sent again later`);
    this.failures.set(path, message);
    const refused = (error as TargetFailure | null)?.refused;
    if (this.failingInARow === undefined || this.stopping.signal.aborted) return;
    // A refusal is the platform answering about this file: it is up. A failure of the file itself
    // (gone, unreadable, changed under the upload: no platform call failed) says nothing either way.
    if (refused === true) this.failingInARow = 0;
    else if (refused === false) this.failingInARow++;
    if (this.failingInARow < DOWN_AFTER_FAILURES) return;
    const untried = this.pool.drain();
    if (untried.length === 0) return;
    const why = `not tried: the platform failed the ${this.failingInARow} sends before it in a row (the last: ${message})`;
    for (const key of untried) this.failures.set(key, why);
    this.options.warn(`the platform failed ${this.failingInARow} sends in a row: the ${untried.length} output file(s) not tried yet are left for \`sync\``);
  }

  private abs(path: string): string {
    return join(this.options.outputsDir, ...path.split("/"));
  }

  private metadataFor(path: string) {
    return { ...this.options.metadata, originalname: basenameOf(path), path };
  }
}
