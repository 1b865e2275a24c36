import { createHash, type Hash } from "node:crypto";
import { BoundedCache } from "./bounded-cache.js";

/** Uploads whose running digest is kept at once; past it the oldest is dropped (and hashed from disk at complete). */
const MAX_KEPT = 1000;

/**
 * The sha256 of each v2 upload, computed while its bytes arrive, so `complete` need not read the
 * whole file back. Held in memory only: after a server restart, or bytes that did not follow on
 * from what was hashed, complete reads the file from disk as before. A running digest is only
 * ever trusted for exactly the bytes on disk (its offset must equal the upload's).
 */
export class UploadDigests {
  private readonly digests = new BoundedCache<string, { offset: number; hash: Hash }>(MAX_KEPT);

  /**
   * A digest of the upload's first `offset` bytes to go on from, as a copy (so a body that fails can
   * be forgotten without harm); undefined when none is known for that offset.
   */
  from(uploadId: string, offset: number): Hash | undefined {
    if (offset === 0) return createHash("sha256");
    const kept = this.digests.get(uploadId);
    return kept && kept.offset === offset ? kept.hash.copy() : undefined;
  }

  /** The digest now covers the upload's first `offset` bytes. */
  keep(uploadId: string, offset: number, hash: Hash): void {
    this.digests.set(uploadId, { offset, hash });
  }

  /** The hex digest when the kept one covers exactly `size` bytes; the entry is dropped either way. */
  take(uploadId: string, size: number): string | undefined {
    const kept = this.digests.get(uploadId);
    this.digests.delete(uploadId);
    return kept && kept.offset === size ? kept.hash.digest("hex") : undefined;
  }
}
