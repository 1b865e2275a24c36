import type { StageName } from "./stages/stage-names.js";

export type StageStatus = "pending" | "running" | "finished" | "failed" | "skipped";

export interface StageRecord {
  name: StageName;
  status: StageStatus;
  /** ISO time the stage started. */
  startedAt?: string;
  durationMs?: number;
  error?: string;
  /** Why a stage was skipped, or a one-line note of what it did. */
  note?: string;
}

/** What runSolver() reports as it goes (the CLI draws its display from these). */
export type RunEvent =
  | { type: "stage"; stage: StageRecord }
  | { type: "progress"; progress: number; label: string }
  | { type: "log"; line: string; stream: "stdout" | "stderr" }
  | { type: "warning"; message: string }
  /** What has reached the platform so far: files sent (counted once each) and bytes. */
  | { type: "upload"; files: number; bytes: number }
  | { type: "info"; message: string };
