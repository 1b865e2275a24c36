import { open } from "node:fs/promises";
import type { Writable } from "node:stream";
import { ExitCode, PhysicsWorksError } from "../errors.js";
import { PIECE_BYTES } from "./piece-bytes.js";
import { readBuffer } from "./read-buffer.js";

/** Pieces in turn: one read while the others wait in the socket. Memory: this × PIECE_BYTES a body. */
const PIECES = 4;

/**
 * Bytes `start` to `end` (exclusive) of a file, written into a request body by the body itself,
 * through a few buffers used again and again. A read stream allocates a fresh buffer for every
 * piece: 1 GiB of fresh memory for a 1 GiB upload, whose collection cost the runner 0.7 s of CPU
 * in scripts/bench/upload.ts, and whose pages are faulted in anew. A piece's buffer is read into
 * again only once its write's callback has come: the socket is done with those bytes then (a
 * Readable cannot know that, so it cannot reuse its buffers).
 */
export class FileRangeBody {
  constructor(
    private readonly path: string,
    private readonly start: number,
    private readonly end: number,
  ) {}

  /**
   * Writes the range into `out` without ending it. Stops, resolved, when `out` closes first (the
   * request failed: its caller hears of that from the request). A file that is shorter than the
   * range fails: it changed under the upload.
   */
  async writeTo(out: Writable): Promise<void> {
    if (out.destroyed) return;
    const handle = await open(this.path, "r");
    const pieces = new Pieces(Math.min(PIECE_BYTES, Math.max(1, this.end - this.start)));
    const onClose = () => pieces.close();
    out.once("close", onClose);
    if (out.destroyed) pieces.close(); // closed while the file was being opened
    try {
      let position = this.start;
      while (position < this.end) {
        const buffer = await pieces.take();
        if (!buffer) return;
        const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, this.end - position), position);
        if (bytesRead === 0) {
          // Typed, so the platform client passes it on as it is: the file failed, not the platform.
          throw new PhysicsWorksError(
            "output-changed",
            `${this.path} ended at ${position} bytes while bytes up to ${this.end} were being sent: it changed under the upload`,
            ExitCode.platform,
          );
        }
        position += bytesRead;
        if (out.destroyed) return;
        out.write(buffer.subarray(0, bytesRead), () => pieces.give(buffer));
      }
    } finally {
      out.off("close", onClose);
      await handle.close();
    }
  }
}

/** At most PIECES buffers: a free one, a new one, or the next one a write gives back; none once closed. */
class Pieces {
  private readonly free: Buffer[] = [];
  private made = 0;
  private closed = false;
  private wake: (() => void) | undefined;

  constructor(private readonly bytes: number) {}

  async take(): Promise<Buffer | undefined> {
    for (;;) {
      if (this.closed) return undefined;
      const buffer = this.free.pop() ?? (this.made < PIECES ? (this.made++, readBuffer(this.bytes)) : undefined);
      if (buffer) return buffer;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  give(buffer: Buffer): void {
    this.free.push(buffer);
    this.release();
  }

  close(): void {
    this.closed = true;
    this.release();
  }

  private release(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
