import { readFile, rm } from "node:fs/promises";
import { hostname } from "node:os";
import { writeJsonAtomic } from "../fs/write-json-atomic.js";
import { processStat } from "./process-stat.js";

/**
 * The solver's process group while it runs (debug/solver-group.json): a runner killed with SIGKILL
 * cannot end the group, so the next runner on the work directory reads this and ends it.
 */
export interface SolverGroupRecord {
  /** A group on another host cannot be signalled from here. */
  host: string;
  /** The solver's pid, which is also its process group id (it leads the group). */
  pgid: number;
  /** On Linux, the leader's start time (/proc/<pid>/stat field 22): a pid reused by a later process is not the solver. */
  processStart?: string;
  /** ISO time the solver started. */
  startedAt: string;
  /** The runner that started it. */
  runnerPid: number;
}

/** Written beside and renamed in: a runner killed mid-write leaves no half record. */
export async function writeSolverGroupRecord(path: string, pgid: number): Promise<void> {
  const record: SolverGroupRecord = { host: hostname(), pgid, startedAt: new Date().toISOString(), runnerPid: process.pid };
  const stat = await processStat(pgid);
  if (stat) record.processStart = stat.start;
  await writeJsonAtomic(path, record, 2);
}

/** The record at `path`; undefined when there is none, or it is damaged. */
export async function readSolverGroupRecord(path: string): Promise<SolverGroupRecord | undefined> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, "utf8"));
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const r = value as Record<string, unknown>;
  // A pgid of 0 or 1 would signal the reader's own group or every process it may signal.
  if (typeof r.host !== "string" || !Number.isInteger(r.pgid) || (r.pgid as number) <= 1) return undefined;
  return {
    host: r.host,
    pgid: r.pgid as number,
    ...(typeof r.processStart === "string" ? { processStart: r.processStart } : {}),
    startedAt: typeof r.startedAt === "string" ? r.startedAt : "an unknown time",
    runnerPid: Number.isInteger(r.runnerPid) ? (r.runnerPid as number) : 0,
  };
}

export async function removeSolverGroupRecord(path: string): Promise<void> {
  await rm(path, { force: true });
}
