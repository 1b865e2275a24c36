/** Parameter sweeps: a spec → points → runs, here (a bounded pool), on SLURM (a job array) or through NATS. */
import { expandPoints } from "./expand-points.js";
import { readSweepSpec } from "./read-spec.js";
import type { SweepPoint, SweepSpec } from "./spec-types.js";

export type { ParamValue, SlurmSpec, SweepParameter, SweepPoint, SweepSpec } from "./spec-types.js";
export { readSweepSpec, parseSweepSpec, parseSweepParameters } from "./read-spec.js";
export { expandRange, type RangeSpec } from "./expand-range.js";
export { expandPoints } from "./expand-points.js";
export { pointHash, canonicalJson } from "./point-hash.js";
export { prepareRun, pointConfig, solverArgs, withParameters, layOutRunFolder } from "./prepare-run.js";
export { readPointState, readPointStates, type PointState } from "./point-status.js";
export { runSweepLocal, type LocalSweepOptions, type LocalSweepOutcome, type SweepEvent } from "./run-local.js";
export { resultsTable, resultsRecords, renderTable, toCsv, writeResultsCsv, type ResultsTable } from "./results-table.js";
export { slurmScript } from "./slurm-script.js";
export { submitSweepToSlurm, type SlurmSubmission } from "./submit-slurm.js";
export { activeTasksLine } from "./active-tasks-line.js";
export { sweepStatus, type SweepStatus } from "./sweep-status.js";
export { submitSweepToNats, type NatsSubmission } from "./submit-nats.js";
export { sweepPaths } from "./sweep-paths.js";

/** Reads the spec and expands its points: what every sweep command starts with. */
export async function loadSweep(specPath: string): Promise<{ spec: SweepSpec; points: SweepPoint[] }> {
  const spec = await readSweepSpec(specPath);
  return { spec, points: expandPoints(spec.parameters, spec.combine, specPath) };
}
