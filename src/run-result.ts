import type { RunResultValue } from "./results/results-csv.js";
import type { StageRecord } from "./run-events.js";
import type { OutputFile } from "./stages/run-context.js";

/** What runSolver() returns and what debug/run.json and --json hold. */
export interface RunResult {
  status: "finished" | "error";
  /** The exit code the CLI ends with: 0 ok, 1 solver failed, 2 usage or config, 3 platform, 130/143 signals. */
  exitCode: number;
  runId: string;
  workDir: string;
  startedAt: string;
  durationMs: number;
  progress: number;
  label: string;
  stages: StageRecord[];
  results: RunResultValue[];
  outputs: OutputFile[];
  error?: { code: string; message: string };
  solver?: { exitCode: number | null; signal: string | null; durationMs: number; lastLines: string[] };
  warnings: string[];
  /** outputs/report.html, when it could be written. */
  report?: string;
  /**
   * Whether post-processing made outputs/result.zip (or took the solver's own) in this start:
   * `sync` sends that file only then, never one an earlier run left. Absent when post-processing
   * did not get that far (and in a run.json of a runner before it).
   */
  resultZip?: boolean;
  /**
   * The run's only failure was sending to the platform (the solver exited 0, no step failed, no
   * abort before the solver's end; a signal during the sends only cut them short): once `sync` has
   * sent what was left, it sets the run finished, here and on the platform.
   */
  sendsFailedOnly?: true;
}
