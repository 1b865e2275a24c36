import type { Readable } from "node:stream";
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
 */
export interface UploadTarget {
  appendFile(body: { filename: string; bytes: Buffer; isNew: boolean; metadata: UploadMetadata; isAscii: boolean }): Promise<void>;
  uploadChunk(body: { filename: string; fileSize: number; chunkIndex: number; bytes: Buffer; metadata: UploadMetadata }): Promise<void>;
  openUpload(body: OpenUploadBody): Promise<OpenUploadAnswer>;
  sendUploadBytes(uploadId: string, offset: number, body: Buffer | (() => Readable), length: number): Promise<UploadOffsetAnswer>;
  completeUpload(uploadId: string): Promise<CompleteUploadAnswer>;
}

/** The fields every upload's metadata shares; `originalname` and `path` are per file. */
export type RunMetadata = Omit<UploadMetadata, "originalname" | "path">;
