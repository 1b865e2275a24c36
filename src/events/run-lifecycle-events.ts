import { FieldChecker, type Validation } from "./field-checker.js";

/** One result of results.csv, as RunResult carries it. */
export interface RunResultEntry {
  name: string;
  type: "scalar" | "boolean" | "ascii";
  value: number | boolean | string;
}

/** `run:started`: a runner began a run (the runner's own event). */
export interface RunStarted {
  runId: string;
  workDir: string;
  /** The job node's host name. */
  hostname: string;
  project?: string;
  simulation?: string;
  job?: string;
  startedAt: string;
}

/** `run:progress`: progress 0–100 and its label, throttled by the runner. */
export interface RunProgress {
  runId: string;
  progress: number;
  label: string;
  at: string;
}

/** `run:finished`: the run ended `finished`. */
export interface RunFinished {
  runId: string;
  workDir: string;
  progress: number;
  label: string;
  durationMs: number;
  results: RunResultEntry[];
  /** How many files the run left under outputs/. */
  outputCount: number;
  finishedAt: string;
}

/** `run:failed`: the run ended `error` (solver failure, abort, platform error). */
export interface RunFailed {
  runId: string;
  workDir: string;
  progress: number;
  label: string;
  durationMs: number;
  /** The runner's exit code for this outcome (src/errors.ts). */
  exitCode: number;
  error: { code: string; message: string };
  finishedAt: string;
}

export function validateRunStarted(value: unknown): Validation<RunStarted> {
  const c = new FieldChecker(value);
  return c.result({
    runId: c.string("runId"),
    workDir: c.string("workDir"),
    hostname: c.string("hostname"),
    project: c.optionalString("project"),
    simulation: c.optionalString("simulation"),
    job: c.optionalString("job"),
    startedAt: c.time("startedAt"),
  });
}

export function validateRunProgress(value: unknown): Validation<RunProgress> {
  const c = new FieldChecker(value);
  return c.result({
    runId: c.string("runId"),
    progress: c.number("progress", { min: 0, max: 100 }),
    label: c.text("label"),
    at: c.time("at"),
  });
}

export function validateRunFinished(value: unknown): Validation<RunFinished> {
  const c = new FieldChecker(value);
  return c.result({
    runId: c.string("runId"),
    workDir: c.string("workDir"),
    progress: c.number("progress", { min: 0, max: 100 }),
    label: c.text("label"),
    durationMs: c.number("durationMs", { min: 0 }),
    results: c.list("results", readResult),
    outputCount: c.number("outputCount", { min: 0, integer: true }),
    finishedAt: c.time("finishedAt"),
  });
}

export function validateRunFailed(value: unknown): Validation<RunFailed> {
  const c = new FieldChecker(value);
  return c.result({
    runId: c.string("runId"),
    workDir: c.string("workDir"),
    progress: c.number("progress", { min: 0, max: 100 }),
    label: c.text("label"),
    durationMs: c.number("durationMs", { min: 0 }),
    exitCode: c.number("exitCode", { min: 0, max: 255, integer: true }),
    error: c.object("error", (e) => ({ code: e.string("code"), message: e.text("message") })),
    finishedAt: c.time("finishedAt"),
  });
}

function readResult(c: FieldChecker): RunResultEntry {
  const name = c.string("name");
  const type = c.oneOf("type", ["scalar", "boolean", "ascii"] as const);
  const value = c.raw("value");
  const wanted = { scalar: "number", boolean: "boolean", ascii: "string" }[type];
  if (typeof value !== wanted) c.problem("value", `a ${wanted} (the result's type is "${type}")`, value);
  return { name, type, value: value as RunResultEntry["value"] };
}
