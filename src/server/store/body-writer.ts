import { closeSync, ftruncateSync, writeSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { alignedBuffer, isAlignedBuffer } from "../../fs/aligned-buffer.js";
import { BufferPool } from "../../fs/buffer-pool.js";
import { copyBytes } from "../../fs/copy-bytes.js";
import { openDirectForWrites, openPositional, openPositionalSync, writeFullyDirect } from "./positional-file.js";
import type { BodyDigest } from "./upload-digests.js";

/** Bytes gathered before one write to disk. */
const WRITE_BATCH_BYTES = 1024 * 1024;

/** Bodies of this size or more go to disk past the page cache, several batches at a time (see BodyWriter). */
const DIRECT_FROM_BYTES = 4 * 1024 * 1024;

/**
 * A large body's batches: four times fewer writes, digests and trips between threads than 1 MiB
 * ones. A warm server took a 1 GiB PATCH in 1.0 to 1.3 s with them, 1.65 s with 1 MiB ones (2 MiB:
 * 1.3 s; 8 MiB: no better than 4).
 */
const DIRECT_BATCH_BYTES = 4 * 1024 * 1024;

/** Batches a body has at once: one filling while the others are written (and hashed). */
const BATCHES = 2;
const DIRECT_BATCHES = 4;

/** The large bodies' batches, used again by the next one: fresh memory costs its page faults. */
const directBatches = new BufferPool(DIRECT_BATCH_BYTES, 2 * DIRECT_BATCHES, alignedBuffer);

const EMPTY = Buffer.alloc(0);

/**
 * Writes a request body's pieces into `file` from `start`, never holding the body whole. The
 * pieces (64 KiB or less) gather in a batch that goes to disk 1 MiB at a time: one awaited write
 * per piece made the disk the bottleneck. Batches take turns, one filling while the others are
 * written, so the body is read on meanwhile. `digest` (when given) is told of the bytes in order
 * as their write starts; a batch is used again once both its write and its digest are done. A
 * body that fits in one batch (every small file's) is written in one go at its end,
 * synchronously, as the records are (see json-file.ts): four system calls instead of four trips
 * to libuv's thread pool.
 *
 * A large body goes to disk with O_DIRECT, past the page cache, where the filesystem allows it:
 * its batches (4 MiB) start on a page boundary (alignedBuffer) and end at whole batches of the
 * file (the first is cut short to get there), and four of them take turns, so the disk has
 * several writes at once. On the VMs measured, the page cache a new file takes is memory the
 * guest had handed back to the hypervisor (free page reporting), faulted in anew on first touch:
 * writing 256 MiB through it cost 0.45 s of CPU, most of the server's in a PATCH, against 0.02 s
 * direct. The batches' memory is shared, so the digest thread hashes the bytes where they are.
 * The bytes past the last whole batch go through the page cache.
 */
export class BodyWriter {
  private batch: Buffer;
  private batched = 0;
  /** How many bytes the batch takes before it is written: to the next whole batch of the file when direct. */
  private room: number;
  /** Batches free to fill. */
  private readonly spare: Buffer[] = [];
  private made = 1;
  private readonly maxBatches: number;
  /** Writes (with their digests) under way; each gives its batch back when done, and never rejects. */
  private readonly busy = new Set<Promise<void>>();
  /** The first write that failed. */
  private failure: { error: unknown } | undefined;
  /** The file, opened at the first batch written; with O_DIRECT too for a large body (undefined when refused). */
  private opening: Promise<{ handle: FileHandle; direct: FileHandle | undefined }> | undefined;
  /** False once a direct write was refused: the rest go through the page cache. */
  private direct: boolean;
  private readonly large: boolean;
  /** Where the next batch goes: the end of what was written or is being written. */
  private position: number;
  /** Where the body ends at the most. */
  private readonly end: number;
  /** Closed: its batches may be another body's now, so nothing more is taken or written. */
  private closed = false;

  /** `most`: the body is at most this long (the caller refuses more), and so is the batch. */
  constructor(
    private readonly file: string,
    private readonly start: number,
    most: number,
    private readonly digest: BodyDigest | undefined,
  ) {
    this.position = start;
    this.end = start + most;
    this.large = most >= DIRECT_FROM_BYTES;
    this.maxBatches = this.large ? DIRECT_BATCHES : BATCHES;
    this.batch = this.newBatch();
    // Batches off a page boundary (no shared WebAssembly memory here) cannot go direct.
    this.direct = this.large && isAlignedBuffer(this.batch);
    this.room = this.large ? DIRECT_BATCH_BYTES - (start % DIRECT_BATCH_BYTES) : this.batch.length;
  }

  /** Takes the body's next piece; a promise when the body must wait (every other batch is still being written). */
  take(chunk: Buffer): Promise<void> | undefined {
    if (this.closed) return undefined;
    const fits = Math.min(chunk.length, this.room - this.batched);
    copyBytes(chunk.subarray(0, fits), this.batch, this.batched);
    this.batched += fits;
    // The rest of the piece starts the next batch.
    if (fits < chunk.length) return this.flush(true).then(() => this.take(chunk.subarray(fits)));
    // A batch that holds the rest of the body waits for its end (and goes in one write).
    return this.batched === this.room && this.position + this.batched < this.end ? this.flush(true) : undefined;
  }

  /** After the body's last piece (or the client went away): writes the rest; answers where the bytes end. */
  async finish(): Promise<number> {
    if (!this.opening) this.writeOnce(this.batch.subarray(0, this.batched));
    else await this.flush(false);
    await Promise.all(this.busy);
    this.rethrow();
    return this.position;
  }

  /** Waits for any write under way, cuts the file at `keep` (what is past it is not the upload's) and closes it. */
  async close(keep: number): Promise<void> {
    this.closed = true;
    await Promise.all(this.busy);
    if (this.large) directBatches.give([...(this.batch.length > 0 ? [this.batch] : []), ...this.spare.splice(0)]);
    this.batch = EMPTY;
    const files = await this.opening?.catch(() => undefined);
    if (!files) return;
    try {
      await files.direct?.close();
      await files.handle.truncate(keep);
    } finally {
      await files.handle.close();
    }
  }

  /** Starts the batch's write; with `next`, waits for a batch to fill after it. */
  private async flush(next: boolean): Promise<void> {
    this.rethrow();
    if (this.batched === 0 || this.closed) return;
    const batch = this.batch;
    const bytes = batch.subarray(0, this.batched);
    const at = this.position;
    this.position += bytes.length;
    this.batch = EMPTY;
    this.batched = 0;
    const hashed = this.digest?.took(bytes);
    // Both settled before the batch is filled again, also when the write failed (the hash may still be reading it).
    const done: Promise<void> = Promise.allSettled([this.writeAt(bytes, at), hashed])
      .then(([written]) => {
        if (written.status === "rejected") this.failure ??= { error: written.reason };
      })
      .finally(() => {
        this.busy.delete(done);
        this.spare.push(batch);
      });
    this.busy.add(done);
    if (!next) return;
    const free = await this.freeBatch();
    if (!free) return;
    this.batch = free;
    this.room = free.length;
    this.rethrow();
  }

  private rethrow(): void {
    if (this.failure) throw this.failure.error;
  }

  /** A batch to fill: a spare one, a new one, or the next one a write gives back; none once closed. */
  private async freeBatch(): Promise<Buffer | undefined> {
    for (;;) {
      if (this.closed) return undefined;
      const batch = this.spare.pop() ?? (this.made < this.maxBatches ? (this.made++, this.newBatch()) : undefined);
      if (batch) return batch;
      await Promise.race(this.busy);
    }
  }

  private newBatch(): Buffer {
    return this.large ? directBatches.take(DIRECT_BATCH_BYTES) : Buffer.allocUnsafe(Math.max(1, Math.min(WRITE_BATCH_BYTES, this.end - this.start)));
  }

  private async writeAt(bytes: Buffer, at: number): Promise<void> {
    this.opening ??= this.openFile();
    const { handle, direct } = await this.opening;
    if (!(await writeFullyDirect(handle, this.direct ? direct : undefined, bytes, at))) this.direct = false;
  }

  private async openFile(): Promise<{ handle: FileHandle; direct: FileHandle | undefined }> {
    const handle = await openPositional(this.file, this.start === 0);
    return { handle, direct: this.direct ? await openDirectForWrites(this.file) : undefined };
  }

  /**
   * The whole body, written before finish goes on; its digest joins the work under way. A write
   * that fails partway (a full disk) leaves the file cut back at `start`, as close() would.
   */
  private writeOnce(bytes: Buffer): void {
    const fd = openPositionalSync(this.file);
    try {
      let written = 0;
      try {
        while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written, this.start + written);
      } catch (error) {
        try {
          ftruncateSync(fd, this.start);
        } catch {
          // the write's error is the one to tell
        }
        throw error;
      }
      ftruncateSync(fd, this.start + bytes.length);
    } finally {
      closeSync(fd);
    }
    this.position = this.start + bytes.length;
    const hashed = this.digest?.took(bytes);
    if (!hashed) return;
    const done: Promise<void> = hashed.finally(() => this.busy.delete(done));
    this.busy.add(done);
  }
}
