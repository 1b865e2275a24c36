import { readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { PlatformError } from "../errors.js";
import { formatBytes } from "../log/format-bytes.js";
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
import type { Stage } from "./stage.js";
import { EveryStep } from "./every-step.js";

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
    ctx.state.outputs = [];
    for await (const file of scanFiles(ctx.paths.outputs)) {
      ctx.state.outputs.push({ path: file.path, size: file.size });
    }
    ctx.state.outputs.sort((a, b) => a.path.localeCompare(b.path));
    const made = [archives.length ? `${archives.length} visualization archive(s)` : "", zip ? `result.zip (${zip.files.length} files)` : ""];
    const note = [`${ctx.state.results.length} results`, `${ctx.state.outputs.length} output files`, ...made.filter(Boolean)].join(", ");
    if (!ctx.platform) return note;
    return `${note}; ${await sendToPlatform(ctx, ctx.platform, archives, zip)}`;
  },
};

async function readResults(ctx: RunContext): Promise<void> {
  let text: string;
  try {
    text = await readFile(ctx.paths.resultsCsv, "utf8");
  } catch {
    return; // no results.csv: a solver need not write one
  }
  const { results, warnings } = parseResultsCsv(text, "outputs/results.csv");
  ctx.state.results = results;
  warnings.forEach((w) => ctx.warn(w));
}

async function packVisualization(ctx: RunContext): Promise<VisualizationArchive[]> {
  const simulation = ctx.options.platform?.simulation ?? "local";
  const { archives, warnings } = await buildVisualizationArchives({ workDir: ctx.paths.workDir, simulation });
  warnings.forEach((w) => ctx.warn(w));
  return archives;
}

/** outputs/result.zip from solverConfig.downloadable; the config file (it may hold the token) never goes in. */
async function packResultZip(ctx: RunContext): Promise<ResultZip | undefined> {
  const spec = await readSolverConfigDownloadable(join(ctx.paths.inputs, "solverConfig.json"));
  spec.warnings.forEach((w) => ctx.warn(w));
  if (spec.downloadable === undefined) return undefined;
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
 * Results first (small, and what a user looks at), then the archives, then the final pass, 92→99.
 * Each step is tried whatever failed before it, and the final pass always runs: a refused results
 * patch or a failed archive must not cost the outputs (protocol.md part 2 #9). The first failure
 * is the stage's error; later ones are warned about.
 */
async function sendToPlatform(ctx: RunContext, session: PlatformSession, archives: VisualizationArchive[], zip: ResultZip | undefined): Promise<string> {
  const { reporter, uploader } = session;
  const steps = new EveryStep();
  if (ctx.state.results.length) await steps.run(() => session.client.patchResults(ctx.runId, ctx.state.results));
  await steps.run(() => sendArchives(session, archives));
  if (zip) await steps.run(() => sendResultZip(session, zip.path));
  await steps.run(async () => {
    const pass = uploader.finalPass(uploadProgress(ctx));
    // After an abort or a signal the node may be taken away soon (SLURM's --signal lead time): bound the flush.
    const { failed } = ctx.signal.aborted ? await withinFlushTime(pass, ctx.options.tuning.flushMs) : await pass;
    if (failed.length) {
      const list = failed.map((f) => `  outputs/${f.path}: ${f.error}`).join("\n");
      throw new PlatformError(`${failed.length} output file(s) could not be sent to the platform:\n${list}`);
    }
  });
  if (steps.failures.length > 0) {
    steps.failures.slice(1).forEach((error) => ctx.warn(`post-processing: ${error instanceof Error ? error.message : String(error)}`));
    throw steps.failures[0];
  }
  await reporter.flush();
  return "all outputs on the platform";
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

async function withinFlushTime<T>(work: Promise<T>, flushMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new PlatformError(`outputs not all sent within the flush time of ${Math.round(flushMs / 1000)}s after the abort`)),
      flushMs,
    );
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
