import { lstat, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { abortErrorOf, FlushTimeError, PlatformError } from "../errors.js";
import { formatBytes } from "../log/format-bytes.js";
import { redactAll } from "../log/redact.js";
import {
  buildResultZip,
  buildVisualizationArchives,
  readSolverConfigDownloadable,
  type ResultZip,
  type VisualizationArchive,
} from "../postprocess/index.js";
import { parseResultsCsv } from "../results/results-csv.js";
import { scanFiles } from "../upload/scan-outputs.js";
import type { FinalPassProgress } from "../upload/uploader.js";
import { reportProgress, writePhaseLine } from "./phase-line.js";
import type { RunContext } from "./run-context.js";
import type { PlatformSession } from "./platform-session.js";
import { sendArchives, sendResultZip } from "./send-artifacts.js";
import { noteSolversReport } from "./run-report.js";
import type { Stage } from "./stage.js";
import { EveryStep } from "./every-step.js";
import { withinFlushTime } from "./flush-deadline.js";
import { flushTimeError } from "./flush-time-error.js";
import { syncCommandFor, unsentOutputLines } from "./unsent-lines.js";
import { removeLeftUnsent, writeLeftUnsent, type LeftUnsent } from "./left-unsent.js";
import { fileStamp, sameStamp, type FileStamp } from "../fs/file-stamp.js";

/**
 * Reads results.csv, packs the visualization archives and result.zip, takes stock of outputs/ and
 * (with a host) sends results, archives and every output the platform does not have yet. Runs after
 * a failure or an abort too: what was written is kept.
 */
export const postProcessStage: Stage = {
  name: "post-process",
  always: true,
  async run(ctx) {
    await writePhaseLine(ctx, "postprocessing", 90, "running");
    await readResults(ctx);
    const archives = await packVisualization(ctx);
    const zip = await packResultZip(ctx);
    ctx.state.resultZip = zip !== undefined;
    ctx.state.outputs = [];
    for await (const file of scanFiles(ctx.paths.outputs)) {
      ctx.state.outputs.push({ path: file.path, size: file.size });
    }
    ctx.state.outputs.sort((a, b) => a.path.localeCompare(b.path));
    const made = [archives.length ? `${archives.length} visualization archive(s)` : "", zip ? `result.zip (${zip.files.length ? `${zip.files.length} files` : "the solver's own"})` : ""];
    const note = [`${ctx.state.results.length} results`, `${ctx.state.outputs.length} output files`, ...made.filter(Boolean)].join(", ");
    if (!ctx.platform) return note;
    return `${note}; ${await sendToPlatform(ctx, ctx.platform, archives, zip)}`;
  },
};

async function readResults(ctx: RunContext): Promise<void> {
  let text: string;
  let now: FileStamp | null;
  try {
    [text, now] = await Promise.all([readFile(ctx.paths.resultsCsv, "utf8"), fileStamp(ctx.paths.resultsCsv)]);
  } catch {
    return; // no results.csv: a solver need not write one
  }
  if (solverDidNotRun(ctx)) {
    ctx.warn("outputs/results.csv is from an earlier run (the solver did not start in this one): its results are not reported as this run's");
    return;
  }
  // Untouched since before the solver started (no clocks compared): an earlier run's.
  const before = ctx.state.resultsBeforeSolver;
  if (before && now && sameStamp(before, now)) {
    ctx.warn(
      `outputs/results.csv is as it was before the solver started (last written ${new Date(now.mtimeMs).toISOString()}): it is an earlier run's, ` +
        "and its results are not reported as this run's (the solver writes it afresh, or it is removed before a run)",
    );
    return;
  }
  const { results, warnings } = parseResultsCsv(text, "outputs/results.csv");
  ctx.state.results = results;
  warnings.forEach((w) => ctx.warn(w));
}

/**
 * This start was to run the solver (neither --skipStages=execute nor --startingStage=post-process)
 * and it never started: a failure before it, a missing script, a command that could not be run.
 * A start that leaves the solver out on purpose reports the results an earlier start's solver wrote.
 */
function solverDidNotRun(ctx: RunContext): boolean {
  const planned = !ctx.options.skipStages.includes("execute") && ctx.options.startingStage !== "post-process";
  return planned && !(ctx.state.solver && ctx.state.solver.pid > 0);
}

async function packVisualization(ctx: RunContext): Promise<VisualizationArchive[]> {
  const simulation = ctx.options.platform?.simulation ?? "local";
  const { archives, warnings } = await buildVisualizationArchives({ workDir: ctx.paths.workDir, simulation, runId: ctx.runId });
  warnings.forEach((w) => ctx.warn(w));
  return archives;
}

/** outputs/result.zip from solverConfig.downloadable; the config file (it may hold the token) never goes in. */
async function packResultZip(ctx: RunContext): Promise<ResultZip | undefined> {
  const spec = await readSolverConfigDownloadable(join(ctx.paths.inputs, "solverConfig.json"));
  spec.warnings.forEach((w) => ctx.warn(w));
  if (spec.downloadable === undefined) return solversResultZip(ctx);
  const exclude: string[] = [];
  if (ctx.options.configPath) {
    const rel = relative(ctx.paths.workDir, ctx.options.configPath);
    if (!rel.startsWith("..")) exclude.push(rel.split(sep).join("/"));
  }
  const { zip, warnings } = await buildResultZip({ workDir: ctx.paths.workDir, downloadable: spec.downloadable, exclude });
  warnings.forEach((w) => ctx.warn(w));
  return zip;
}

/**
 * With no downloadable spec the runner builds no result.zip, and one the solver wrote itself is
 * sent as the run's Result.zip (it would otherwise be sent nowhere: the name is the runner's). Not
 * one from an earlier run: the solver did not start, or the file is as it was before it did.
 */
async function solversResultZip(ctx: RunContext): Promise<ResultZip | undefined> {
  const path = join(ctx.paths.outputs, "result.zip");
  const now = await fileStamp(path);
  if (!now || solverDidNotRun(ctx)) return undefined;
  // Sent as it is, not through the outputs' rules: only a regular file of its own (a link could lead
  // to the config and its token; a FIFO would block its reader).
  if (!(await lstat(path)).isFile()) {
    ctx.warn("outputs/result.zip: not sent, it is not a regular file (a link, a FIFO, a folder); the solver writes its own result.zip as a file");
    return undefined;
  }
  const before = ctx.state.resultZipBeforeSolver;
  if (before && sameStamp(before, now)) return undefined;
  return { path, files: [], bytes: now.size };
}

/**
 * Results first (small, and what a user looks at), then the archives, then the final pass, 92→99.
 * Each step is tried whatever failed before it, and the final pass always runs: a refused results
 * patch or a failed archive must not cost the outputs (protocol.md part 2 #9). The first failure
 * is the stage's error; later ones are warned about. After an abort, a signal or a solver failure
 * all of it runs within the flush time; what that leaves unsent is the stage's error (and `sync`'s
 * to send).
 */
async function sendToPlatform(ctx: RunContext, session: PlatformSession, archives: VisualizationArchive[], zip: ResultZip | undefined): Promise<string> {
  await noteSolversReport(ctx.paths.outputs, session.uploader);
  const left: PendingSends = { results: ctx.state.results.length > 0, archives: archives.map((a) => a.kind), resultZip: Boolean(zip) };
  const steps = new EveryStep();
  // Failures from the stop on are the stop's (aborted requests), told by the flush time's error.
  let beforeStop = Infinity;
  const stop = () => {
    beforeStop = steps.failures.length;
    session.stopSends();
  };
  const outcome = await withinFlushTime(ctx, () => sendAll(ctx, session, archives, zip, steps, left), stop);
  const failures = outcome.done ? steps.failures : steps.failures.slice(0, beforeStop);
  if (!outcome.done) {
    failures.forEach((error) => ctx.warn(`post-processing: ${error instanceof Error ? error.message : String(error)}`));
    const error = await leftByFlushTime(ctx, session, archives, left, outcome.cause);
    if (error) throw error;
    return "all outputs on the platform, as the flush time ran out";
  }
  if (failures.length > 0) {
    // What did not go through is `sync`'s to send, to this run, also once the run's final status
    // has gone: without this record, sync would find that status sent and answer "already". Also
    // what the platform refused: each sync tries it again, and says why it fails, until it is taken
    // (a limit raised, a permission given).
    await writeLeftUnsent(ctx.paths.debug, { runId: ctx.runId, ...left });
    failures.slice(1).forEach((error) => ctx.warn(`post-processing: ${error instanceof Error ? error.message : String(error)}`));
    throw failures[0];
  }
  // Everything went: a record an earlier start on this run node left is stale.
  await removeLeftUnsent(ctx.paths.debug).catch((error: unknown) => ctx.warn(`could not remove debug/left-unsent.json: ${(error as Error).message}`));
  await session.reporter.flush();
  return "all outputs on the platform";
}

/** What of the runner's own sends has not gone through yet; each step clears its part when it has. */
type PendingSends = Omit<LeftUnsent, "runId">;

async function sendAll(
  ctx: RunContext,
  session: PlatformSession,
  archives: VisualizationArchive[],
  zip: ResultZip | undefined,
  steps: EveryStep,
  left: PendingSends,
): Promise<void> {
  // Once the flush time has run out, the steps not begun are not begun.
  const step = (work: () => Promise<void>) => (session.sendsStopped ? Promise.resolve() : steps.run(work));
  if (left.results) {
    await step(async () => {
      // Redacted as in run.json, so that `sync` of an offline run sends the same values: a value
      // that is the token (a solver that printed its environment) would show on the platform's page.
      await session.client.patchResults(ctx.runId, redactAll(ctx.state.results, ctx.options.secrets));
      left.results = false;
    });
  }
  await step(() => sendArchives(session, archives, (sent) => (left.archives = left.archives.filter((kind) => kind !== sent.kind))));
  if (zip) {
    await step(async () => {
      await sendResultZip(session, zip.path);
      left.resultZip = false;
    });
  }
  await step(async () => {
    const { failed } = await session.uploader.finalPass(uploadProgress(ctx));
    if (failed.length) {
      const lines = unsentOutputLines(failed).map((l) => `  ${l}`);
      throw new PlatformError(
        `${failed.length} output file(s) could not be sent to the platform:\n${lines.join("\n")}\n` +
          `${syncCommandFor(ctx.options.configPath)} sends them later, to the same run`,
      );
    }
  });
}

/**
 * The flush time ran out and the sends were stopped: the journal is written as it stands (what did
 * not go through is recorded as not done), what is left is recorded for `sync`, and the error says
 * what was not sent. Undefined when, as it turns out, nothing but the run report was left.
 */
async function leftByFlushTime(
  ctx: RunContext,
  session: PlatformSession,
  archives: VisualizationArchive[],
  left: PendingSends,
  cause: string,
): Promise<FlushTimeError | undefined> {
  await session.journal.flush();
  // Every archive's files are the archive's to send, also those of an archive the stop kept back.
  session.uploader.leave(archives.flatMap((a) => a.files));
  const outputs = await session.uploader.unsent();
  // Written also when nothing turns out to be left: the run report is not sent either, sync sends it.
  await writeLeftUnsent(ctx.paths.debug, { runId: ctx.runId, ...left });
  if (!outputs.length && !left.results && !left.archives.length && !left.resultZip) return undefined;
  return flushTimeError({
    cause,
    flushMs: ctx.options.tuning.flushMs,
    outputs,
    left,
    ...(ctx.options.configPath ? { configPath: ctx.options.configPath } : {}),
    // A signal that bounded the sends of a run that had not failed is its outcome: exit 130/143.
    ...(ctx.signal.aborted ? { exitCode: abortErrorOf(ctx.signal).exitCode } : {}),
  });
}

/** The final pass's progress as the run's 92→99, `uploading results X/Y`, at most four times a second. */
export function uploadProgress(ctx: RunContext): (p: FinalPassProgress) => void {
  let last = 0;
  return ({ doneBytes, totalBytes }) => {
    const now = Date.now();
    if (now - last < 250 && doneBytes < totalBytes) return;
    last = now;
    const share = totalBytes === 0 ? 1 : doneBytes / totalBytes;
    reportProgress(ctx, 92 + 7 * share, `uploading results ${formatBytes(doneBytes)}/${formatBytes(totalBytes)}`);
  };
}
