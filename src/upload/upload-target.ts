import type { Readable } from "node:stream";
import type { FileRangeBody } from "../fs/file-range-body.js";
import type {
  CompleteUploadAnswer,
  OpenUploadAnswer,
  OpenUploadBody,
  UploadMetadata,
  UploadOffsetAnswer,
} from "../platform/types.js";

/**
 * What the uploader needs of the platform. The platform client has this shape; the uploader
 * does not import it (adapters do not import each other: the stage wires them). The `bytes` of
 * a call are lent to it until its promise settles: the uploader reads the next chunk into them.
 * A call that fails throws an error of the TargetFailure shape.
 */
export interface UploadTarget {
  appendFile(body: { filename: string; bytes: Buffer; isNew: boolean; metadata: UploadMetadata; isAscii: boolean }): Promise<void>;
  uploadChunk(body: { filename: string; fileSize: number; chunkIndex: number; bytes: Buffer; metadata: UploadMetadata }): Promise<void>;
  openUpload(body: OpenUploadBody): Promise<OpenUploadAnswer>;
  sendUploadBytes(uploadId: string, offset: number, body: Buffer | (() => Readable | FileRangeBody), length: number): Promise<UploadOffsetAnswer>;
  completeUpload(uploadId: string): Promise<CompleteUploadAnswer>;
  /**
   * The wait after try `attempt` (from 1) of a send the uploader repeats itself (a live file sent
   * again from its start): the platform's backoff and Retry-After rule, with the run's retry tuning.
   */
  retryDelay(attempt: number, error: unknown): number;
}

/**
 * What the uploader may read of an error a call above throws, by shape (the client's
 * PlatformCallError has it; its retry policy decides it, the uploader does not restate it).
 */
export interface TargetFailure {
  /**
   * The platform answered and refused the call (a 4xx other than 408 and 429): nothing was
   * applied, and sending it again would be refused again. False for any other failed call (no
   * answer, a 5xx, ...); absent when no call failed (the file itself could not be read).
   */
  refused?: boolean;
  /** The wait the answer's Retry-After asked for, in ms; retryDelay honours it. */
  retryAfterMs?: number;
}

/** The fields every upload's metadata shares; `originalname` and `path` are per file. */
export type RunMetadata = Omit<UploadMetadata, "originalname" | "path">;
