/**
 * A job's report: the report.html its runner stored, copied as it is; else one built from what the
 * server holds of the job (its results, its stored plots/*.csv, the tail of its main.log).
 */
import { readCsvSeries, readLastLines, renderLineChart } from "../../report/index.js";
import type { ResultEntry } from "../../platform/types.js";
import type { StoredFileInfo } from "../../server/index.js";
import { MAIN_LOG, RUN_REPORT } from "../logs/stored-output.js";
import type { PlatformDeps } from "../platform-deps.js";
import type { Job } from "../platform-types.js";
import { renderJobReport, type JobReportChart } from "./job-report-page.js";
import { writeFileAtomic } from "./write-file-atomic.js";

const MAX_CHARTS = 40;
const LOG_LINES = 200;

export async function writeJobReport(deps: PlatformDeps, job: Job, target: string): Promise<void> {
  const { files, results } = await runOutputs(deps, job);
  const stored = files.find((f) => f.path === RUN_REPORT);
  if (stored) {
    await writeFileAtomic(target, { copyOf: stored.file });
    return;
  }
  const { charts, notes } = await plotCharts(files);
  const mainLog = files.find((f) => f.path === MAIN_LOG);
  const log = mainLog ? await readLastLines(mainLog.file, LOG_LINES) : { lines: [], more: false };
  const listed = files.flatMap((f) => (f.path ? [{ path: f.path, size: f.size }] : [])).sort((a, b) => a.path.localeCompare(b.path));
  const html = renderJobReport({ job, results, files: listed, charts, chartNotes: notes, log, generatedAt: new Date() });
  await writeFileAtomic(target, html);
}

/** The job's stored files and results; none before it has a run. */
export async function runOutputs(deps: PlatformDeps, job: Job): Promise<{ files: StoredFileInfo[]; results: ResultEntry[] }> {
  const store = deps.server.current?.store;
  if (!job.runId || !store) return { files: [], results: [] };
  return { files: await store.files(job.runId), results: await store.results(job.runId) };
}

async function plotCharts(files: StoredFileInfo[]): Promise<{ charts: JobReportChart[]; notes: string[] }> {
  const plots = files
    .filter((f): f is StoredFileInfo & { path: string } => !!f.path && f.path.startsWith("plots/") && f.path.toLowerCase().endsWith(".csv"))
    .sort((a, b) => a.path.localeCompare(b.path));
  const charts: JobReportChart[] = [];
  const notes: string[] = [];
  for (const plot of plots.slice(0, MAX_CHARTS)) {
    try {
      const data = await readCsvSeries(plot.file);
      if (data) charts.push({ title: plot.path, svg: renderLineChart(data, plot.path), notes: data.notes });
    } catch (error) {
      // The code only: the message would hold the server's own paths.
      notes.push(`${plot.path} could not be read (${(error as NodeJS.ErrnoException).code ?? "not a readable CSV"}).`);
    }
  }
  if (plots.length > MAX_CHARTS) notes.push(`${plots.length - MAX_CHARTS} more CSV files in plots/ are not drawn (the first ${MAX_CHARTS} are).`);
  return { charts, notes };
}
