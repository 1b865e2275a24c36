import type { FormCodec } from "../form-codec/form-codec.js";
import type { ResolvedOptions } from "./server-options.js";
import type { DataPaths } from "./store/data-paths.js";
import type { KeyLock } from "./store/key-lock.js";
import type { BoundedCache } from "./store/bounded-cache.js";
import type { FileRecord } from "./store/file-records.js";
import type { JsonLinesTable } from "./store/json-lines-table.js";
import type { UploadDigests } from "./store/upload-digests.js";
import type { UploadRecord } from "./store/upload-record.js";

/** The live side (socket.io) as the routes see it. */
export interface LiveControl {
  /** Emits run:abort to the run's room; answers how many sockets were in it. */
  abortRun(runId: string): number;
  close(): Promise<void>;
}

/** Everything a route needs, made once per server: no module-level state. */
export interface ServerContext {
  options: ResolvedOptions;
  paths: DataPaths;
  locks: KeyLock;
  live: LiveControl;
  /** v2 uploads' digests, computed while their bytes arrive. */
  digests: UploadDigests;
  /** v1's form bodies (base64 in url-encoded JSON). */
  forms: FormCodec;
  /** v2 upload records (DATA/uploads.jsonl). */
  uploads: JsonLinesTable<UploadRecord>;
  /** Each run's file records (DATA/runs/{run}/file-records.jsonl), for the runs used lately. */
  fileRecords: BoundedCache<string, JsonLinesTable<FileRecord>>;
}
