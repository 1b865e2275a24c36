import { closeSync, ftruncateSync, writeSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { openPositional, openPositionalSync, writeFully } from "./positional-file.js";
import type { BodyDigest } from "./upload-digests.js";

/** Bytes gathered before one write to disk. */
const WRITE_BATCH_BYTES = 1024 * 1024;

/**
 * Writes a request body's pieces into `file` from `start`, never holding the body whole. The
 * pieces (64 KiB or less) gather in a batch that goes to disk 1 MiB at a time: one awaited write
 * per piece made the disk the bottleneck. Two batches take turns, one filling while the other is
 * written, so the body is read on meanwhile. `digest` (when given) is told of the bytes in order
 * as their write starts, and of each write's end. A body that fits in one batch (every small
 * file's) is written in one go at its end, synchronously, as the records are (see json-file.ts):
 * four system calls instead of four trips to libuv's thread pool.
 */
export class BodyWriter {
  private batch: Buffer;
  private spare: Buffer | undefined;
  private batched = 0;
  /** Opened at the first full batch. */
  private handle: FileHandle | undefined;
  /** The write under way: awaited before the next one starts and at the end. */
  private writing: Promise<void> = Promise.resolve();
  /** Where the next bytes go: the end of what was written or is being written. */
  private position: number;
  /** Where the body ends at the most. */
  private readonly end: number;

  /** `most`: the body is at most this long (the caller refuses more), and so is the batch. */
  constructor(
    private readonly file: string,
    private readonly start: number,
    most: number,
    private readonly digest: BodyDigest | undefined,
  ) {
    this.position = start;
    this.batch = Buffer.allocUnsafe(Math.max(1, Math.min(WRITE_BATCH_BYTES, most)));
    this.end = start + most;
  }

  /** Takes the body's next piece; a promise when the body must wait (a write of two batches ago is still under way). */
  take(chunk: Buffer): Promise<void> | undefined {
    if (this.batched + chunk.length <= this.batch.length) {
      chunk.copy(this.batch, this.batched);
      this.batched += chunk.length;
      // A batch that holds the rest of the body waits for its end (and goes in one write).
      return this.batched === this.batch.length && this.position + this.batched < this.end ? this.flush() : undefined;
    }
    return this.flush().then(() => this.keep(chunk));
  }

  /** After the body's last piece (or the client went away): writes the rest; answers where the bytes end. */
  async finish(): Promise<number> {
    if (!this.handle) return this.writeOnce(this.batch.subarray(0, this.batched));
    await this.flush();
    await this.writing;
    return this.position;
  }

  /** Waits for any write under way, cuts the file at `keep` (what is past it is not the upload's) and closes it. */
  async close(keep: number): Promise<void> {
    if (!this.handle) return;
    await this.writing.catch(() => undefined);
    await this.handle.truncate(keep);
    await this.handle.close();
  }

  private async flush(): Promise<void> {
    if (this.batched === 0) return;
    const full = this.batch.subarray(0, this.batched);
    this.spare ??= Buffer.allocUnsafe(this.batch.length);
    [this.batch, this.spare] = [this.spare, this.batch];
    this.batched = 0;
    await this.write(full);
  }

  /** A piece that did not fit the batch: it starts the next one, or is written on its own when larger than a batch. */
  private async keep(chunk: Buffer): Promise<void> {
    if (chunk.length < this.batch.length) {
      chunk.copy(this.batch, 0);
      this.batched = chunk.length;
      return;
    }
    await this.write(chunk);
  }

  private async write(bytes: Buffer): Promise<void> {
    this.handle ??= await openPositional(this.file, this.start === 0);
    await this.writing;
    const end = this.position + bytes.length;
    this.writing = writeFully(this.handle, bytes, this.position).then(() => this.digest?.wrote(end));
    this.writing.catch(() => undefined); // awaited before the next write and at the end
    this.digest?.took(bytes);
    this.position = end;
  }

  private writeOnce(bytes: Buffer): number {
    const fd = openPositionalSync(this.file);
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written, this.start + written);
      ftruncateSync(fd, this.start + bytes.length);
    } finally {
      closeSync(fd);
    }
    this.position = this.start + bytes.length;
    this.digest?.took(bytes);
    this.digest?.wrote(this.position);
    return this.position;
  }
}
