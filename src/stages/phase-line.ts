import { appendFile } from "node:fs/promises";
import type { RunContext } from "./run-context.js";

/** The runner's own phases in state.txt, on the run's 0–100 scale, as the Python runner writes them. */
export type Phase = "initialization" | "preprocessing" | "solver" | "postprocessing";
export type PhaseStatus = "running" | "finished" | "failed";

/** The solver's own 0–100 progress maps into this band of the run's progress. */
export const SOLVER_BAND = { from: 10, to: 90 } as const;

export function solverToRunProgress(solverProgress: number): number {
  return SOLVER_BAND.from + ((SOLVER_BAND.to - SOLVER_BAND.from) * solverProgress) / 100;
}

export async function writePhaseLine(ctx: RunContext, phase: Phase, progress: number, status: PhaseStatus): Promise<void> {
  const line = `${timestamp(new Date())},${progress},${phase},${phase},${status}`;
  ctx.state.runnerStateLines.add(line);
  await appendFile(ctx.paths.stateFile, `${line}\n`);
  reportProgress(ctx, progress, phase);
}

export function reportProgress(ctx: RunContext, progress: number, label: string): void {
  const rounded = Math.round(progress * 10) / 10;
  if (rounded === ctx.state.progress && label === ctx.state.label) return;
  ctx.state.progress = rounded;
  ctx.state.label = label;
  ctx.emit({ type: "progress", progress: rounded, label });
  ctx.platform?.reporter.status("running", rounded, label);
}

/** `YYYY-MM-DD HH:MM:SS` in local time, the form state.txt uses. */
export function timestamp(date: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())} ${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}`;
}
