/**
 * `<key>.json` beside each cached file: what it is and how big it must be. A cached file is trusted only
 * when its record names the same id and its size on disk is the recorded size, so a truncated or
 * half-replaced file is a miss, never a hit.
 */
import { randomUUID } from "node:crypto";
import { readFile, rename, rm, writeFile } from "node:fs/promises";

export interface CacheRecord {
  fileId: string;
  size: number;
  sha256?: string;
  storedAt: string;
}

export async function readRecord(path: string): Promise<CacheRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(path, "utf8")) as Partial<CacheRecord>;
    if (typeof record.fileId !== "string" || typeof record.size !== "number") return undefined;
    return record as CacheRecord;
  } catch {
    return undefined; // missing, or half-written by a runner that died: a miss either way
  }
}

/** Written beside and renamed in: a reader sees the old record or the new one, never half of one. */
export async function writeRecord(path: string, record: CacheRecord): Promise<void> {
  const beside = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(beside, `${JSON.stringify(record)}\n`);
    await rename(beside, path);
  } finally {
    await rm(beside, { force: true });
  }
}
