import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { hostname } from "node:os";
import { threadId } from "node:worker_threads";
import { processStat } from "../process/process-stat.js";

/** What holds a lock: a run or a sync (of a work directory), or a sweep submission (of a sweep's root). */
export type LockCommand = "run" | "sync" | "sweep submission";

/**
 * What debug/runner.lock holds: who works in the work directory. Whoever finds it busy reads it and
 * quotes it in their error, so nothing secret goes in (no token, no config).
 */
export interface LockRecord {
  host: string;
  pid: number;
  /** ISO time the holder took the lock. */
  startedAt: string;
  /** physicsworks-solve's version. */
  version: string;
  command: LockCommand;
  /** Tells this holder from another with the same host and pid (runs in one process, a lock taken over). */
  lockId: string;
  /** On Linux, when the holder's process started: a pid reused by a later process is not the holder. */
  processStart?: string;
  /** The holder's worker thread (0: the main thread): only that thread knows whether it still holds it (held-locks.ts). */
  threadId?: number;
}

export async function newLockRecord(command: LockCommand): Promise<LockRecord> {
  const record: LockRecord = {
    host: hostname(),
    pid: process.pid,
    startedAt: new Date().toISOString(),
    version: await runnerVersion(),
    command,
    lockId: randomUUID(),
    threadId,
  };
  const stat = await processStat(process.pid);
  if (stat) record.processStart = stat.start;
  return record;
}

/** The record in a lock file's text; undefined when it is empty or damaged (cut short by a crash mid-write). */
export function parseLockRecord(text: string): LockRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const r = value as Record<string, unknown>;
  // A pid of 0 or below would make kill(pid, 0) ask a whole process group.
  if (typeof r.host !== "string" || !Number.isInteger(r.pid) || (r.pid as number) <= 0 || typeof r.startedAt !== "string") return undefined;
  return {
    host: r.host,
    pid: r.pid as number,
    startedAt: r.startedAt,
    version: typeof r.version === "string" ? r.version : "unknown",
    command: r.command === "sync" || r.command === "sweep submission" ? r.command : "run",
    lockId: typeof r.lockId === "string" ? r.lockId : "",
    ...(typeof r.processStart === "string" ? { processStart: r.processStart } : {}),
    ...(Number.isInteger(r.threadId) ? { threadId: r.threadId as number } : {}),
  };
}

async function runnerVersion(): Promise<string> {
  try {
    // ../../package.json from src/work-lock/ and from dist/work-lock/ alike.
    const text = await readFile(new URL("../../package.json", import.meta.url), "utf8");
    const version = (JSON.parse(text) as { version?: unknown }).version;
    return typeof version === "string" ? version : "unknown";
  } catch {
    return "unknown";
  }
}
