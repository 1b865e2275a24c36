import { readFile } from "node:fs/promises";
import type { RunResult } from "../run-result.js";
import type { SweepPoint, SweepSpec } from "./spec-types.js";
import { sweepPaths } from "./sweep-paths.js";

/**
 * A point as its folder shows it: "pending" until the runner wrote debug/run.json. `sweep status`
 * also shows "running" for a point whose latest SLURM task runs (its run.json, if any, an earlier run's).
 */
export interface PointState {
  point: SweepPoint;
  status: "pending" | "running" | "finished" | "error";
  result?: RunResult;
  /** Why it ended in error (the run's own error, or why it could not start). */
  error?: string;
}

/** Reads each point's debug/run.json (the runner writes it last, whatever the outcome). */
export async function readPointState(spec: SweepSpec, point: SweepPoint): Promise<PointState> {
  let result: RunResult;
  try {
    result = JSON.parse(await readFile(sweepPaths(spec).runJson(point), "utf8")) as RunResult;
  } catch {
    return { point, status: "pending" };
  }
  return { point, status: result.status === "finished" ? "finished" : "error", result, ...(result.error ? { error: result.error.message } : {}) };
}

export function readPointStates(spec: SweepSpec, points: SweepPoint[]): Promise<PointState[]> {
  return Promise.all(points.map((p) => readPointState(spec, p)));
}
