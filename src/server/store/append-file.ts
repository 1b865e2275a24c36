import { randomUUID } from "node:crypto";
import { appendFile, mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { UploadMetadata } from "../../platform/types.js";
import type { ServerContext } from "../server-context.js";
import { fileRecordsOf, writeFileRecord } from "./file-records.js";

/**
 * A live append: `isNew` replaces the file (written aside and renamed, so a reader sees the old
 * file or the new one, never a truncated one); otherwise the bytes go at the end.
 */
export async function appendToStoredFile(
  ctx: ServerContext,
  runId: string,
  filename: string,
  bytes: Buffer,
  isNew: boolean,
  metadata: UploadMetadata,
): Promise<void> {
  const target = ctx.paths.storedFile(runId, filename);
  await ctx.locks.run(`file:${runId}/${filename}`, async () => {
    await mkdir(path.dirname(target), { recursive: true });
    if (isNew) {
      const temp = ctx.paths.run(runId, "files", `.${randomUUID()}.tmp`);
      try {
        await writeFile(temp, bytes);
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    } else {
      await appendFile(target, bytes);
    }
    // Once per file (and again on a rewrite), not on every live append.
    if (isNew || !fileRecordsOf(ctx, runId).get(filename)) {
      await writeFileRecord(ctx, runId, filename, "append", metadata);
    }
  });
}
