import { createHash } from "node:crypto";
import { BoundedCache } from "./bounded-cache.js";
import { DigestThread } from "./digest-thread.js";

/** Uploads whose running digest is kept at once; past it the oldest is dropped (and hashed from disk at complete). */
const MAX_KEPT = 1000;

/**
 * Uploads of this size or more are hashed on the digest thread; smaller ones here, from the bytes
 * in memory, where a trip to the thread would cost more than the hashing (thousands of small
 * files in scripts/bench/many-files.ts).
 */
const THREAD_FROM_BYTES = 4 * 1024 * 1024;

/** The digest of one PATCH's body, told about the body's bytes as they go to disk. */
export interface BodyDigest {
  /**
   * The body's next bytes, in order, as their write starts. A promise when they are hashed
   * elsewhere: their memory must stay as it is until it settles.
   */
  took(bytes: Buffer): Promise<void> | undefined;
  /** The body ended well: the digest covers the upload's first `offset` bytes. */
  keep(offset: number): void;
  /** The body failed: its bytes are cut off, and the digest kept before it still holds. */
  drop(): void;
}

/**
 * The sha256 of each v2 upload, computed while its bytes arrive, so `complete` need not read the
 * whole file back. Held in memory only: after a server restart, or bytes that did not follow on
 * from what was hashed, complete reads the file from disk as before. A running digest is only
 * ever trusted for exactly the bytes on disk (its offset must equal the upload's).
 */
export class UploadDigests {
  private readonly digests = new BoundedCache<string, { offset: number; hash: ReturnType<typeof createHash> }>(MAX_KEPT);
  private thread: DigestThread | undefined;
  private closed = false;

  /** `log`: the server's log, told when the digest thread fails (a new one starts with the next large upload). */
  constructor(private readonly log: (line: string) => void = () => undefined) {}

  /**
   * The digest of a body that goes on from the upload's first `offset` bytes (of `size`);
   * undefined when nothing is known of those bytes here.
   */
  from(uploadId: string, offset: number, size: number): BodyDigest | undefined {
    if (size >= THREAD_FROM_BYTES) {
      if (this.closed) return undefined;
      if (!this.thread || this.thread.failed) {
        this.thread = new DigestThread((why) =>
          this.log(`the upload digest thread stopped (${why}): the uploads it followed are hashed from disk at complete`),
        );
      }
      const thread = this.thread;
      thread.post({ op: "start", id: uploadId, offset });
      return {
        took: (bytes) => thread.hash(uploadId, bytes),
        keep: (kept) => thread.post({ op: "keep", id: uploadId, offset: kept }),
        drop: () => thread.post({ op: "drop", id: uploadId }),
      };
    }
    const before = this.digests.get(uploadId);
    // A copy, so a body that fails leaves the digest kept before it as it was.
    const hash = offset === 0 ? createHash("sha256") : before && before.offset === offset ? before.hash.copy() : undefined;
    if (!hash) return undefined;
    let position = offset;
    return {
      took: (bytes) => {
        hash.update(bytes);
        position += bytes.length;
        return undefined;
      },
      // Kept only for the bytes it took: another offset is known no more.
      keep: (kept) => (kept === position ? this.digests.set(uploadId, { offset: kept, hash }) : this.digests.delete(uploadId)),
      drop: () => undefined,
    };
  }

  /** The hex digest when the kept one covers exactly `size` bytes; the entry is dropped either way. */
  async take(uploadId: string, size: number): Promise<string | undefined> {
    if (size >= THREAD_FROM_BYTES) return this.thread?.take(uploadId, size);
    const kept = this.digests.get(uploadId);
    this.digests.delete(uploadId);
    return kept && kept.offset === size ? kept.hash.digest("hex") : undefined;
  }

  /** Stops the digest thread, if one was started; none is started after. */
  async close(): Promise<void> {
    this.closed = true;
    await this.thread?.close();
  }
}
