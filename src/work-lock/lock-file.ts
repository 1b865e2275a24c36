import { open, rm, type FileHandle } from "node:fs/promises";
import { ConfigError } from "../errors.js";
import { parseLockRecord } from "./lock-record.js";
import type { FoundLock } from "./lock-verdict.js";

/** Creates `path` with `text` unless it exists (O_EXCL): false when it does. */
export async function createExclusive(path: string, text: string): Promise<boolean> {
  const handle = await openExclusive(path, text);
  await handle?.close();
  return handle !== undefined;
}

/** createExclusive, keeping the file open: undefined when it exists. With "ax", every write appends. */
export async function openExclusive(path: string, text: string, flag: "wx" | "ax" = "wx"): Promise<FileHandle | undefined> {
  let handle;
  try {
    handle = await open(path, flag, 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return undefined;
    throw lockFileError(path, error);
  }
  try {
    await handle.writeFile(text);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(path, { force: true });
    throw lockFileError(path, error);
  }
  return handle;
}

/** The lock as found; undefined when there is none. */
export async function readLock(path: string): Promise<FoundLock | undefined> {
  const found = await readWithMtime(path).catch((error: unknown) => {
    throw lockFileError(path, error);
  });
  if (!found) return undefined;
  const record = parseLockRecord(found.text);
  return { raw: found.text, mtimeMs: found.mtimeMs, ...(record ? { record } : {}) };
}

/**
 * A file's text and mtime, read through one handle, so that both are of the same file (a rename may
 * put another at the path meanwhile). Undefined when there is none.
 */
export async function readWithMtime(path: string): Promise<{ text: string; mtimeMs: number } | undefined> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const [info, text] = await Promise.all([handle.stat(), handle.readFile("utf8")]);
    return { text, mtimeMs: info.mtimeMs };
  } finally {
    await handle.close();
  }
}

export function lockFileError(path: string, cause: unknown): ConfigError {
  const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
  return new ConfigError(`cannot use the lock file ${path} (${code}): check that its folder is writable`, { cause });
}
