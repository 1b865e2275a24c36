import { readdir, stat } from "node:fs/promises";
import { fileSha256 } from "../../fs/file-sha256.js";
import type { UploadMetadata } from "../../platform/types.js";
import type { ServerContext } from "../server-context.js";
import { isMissing } from "./json-file.js";
import { JsonLinesTable } from "./json-lines-table.js";

/** What the server keeps about each stored file, so a reader can tell which output it is: a line of the run's `file-records.jsonl`. */
export interface FileRecord {
  filename: string;
  originalname: string;
  /** The path relative to outputs/ when the runner sent one (this runner does, the Python one does not). */
  path: string | null;
  via: "append" | "chunks" | "v2";
  metadata: UploadMetadata;
  at: string;
}

export interface StoredFile {
  filename: string;
  path: string | null;
  originalname: string | null;
  size: number;
  sha256: string;
}

export async function writeFileRecord(
  ctx: ServerContext,
  runId: string,
  filename: string,
  via: FileRecord["via"],
  metadata: UploadMetadata,
): Promise<void> {
  const record: FileRecord = {
    filename,
    originalname: metadata.originalname,
    path: metadata.path ?? null,
    via,
    metadata,
    at: new Date().toISOString(),
  };
  fileRecordsOf(ctx, runId).put(record);
}

/** The run's file records, one per stored file (the latest when it was written again). */
export function fileRecordsOf(ctx: ServerContext, runId: string): JsonLinesTable<FileRecord> {
  let table = ctx.fileRecords.get(runId);
  if (!table) {
    table = new JsonLinesTable<FileRecord>(ctx.paths.fileRecords(runId), (r) => r.filename);
    ctx.fileRecords.set(runId, table);
  }
  return table;
}

export async function storedFilenames(ctx: ServerContext, runId: string): Promise<string[]> {
  try {
    return (await readdir(ctx.paths.run(runId, "files"))).sort();
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

/** The run's stored files with their records; digests are computed here, on request, by streaming. */
export async function listStoredFiles(ctx: ServerContext, runId: string): Promise<StoredFile[]> {
  const files: StoredFile[] = [];
  const records = fileRecordsOf(ctx, runId);
  for (const filename of await storedFilenames(ctx, runId)) {
    const full = ctx.paths.storedFile(runId, filename);
    const record = records.get(filename);
    files.push({
      filename,
      path: record?.path ?? null,
      originalname: record?.originalname ?? null,
      size: (await stat(full)).size,
      sha256: await fileSha256(full),
    });
  }
  return files;
}
