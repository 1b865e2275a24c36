/**
 * outputs/report.html: what a user opens on the cluster (or from the platform) to see how a run went,
 * with no server and no network. One file; written beside its target and renamed in, so the uploader
 * never sends half a page (the temporary name ends in .tmp, which it skips).
 */
import { randomUUID } from "node:crypto";
import { opendir, rename, rm, writeFile } from "node:fs/promises";
import { basename, join, relative, sep } from "node:path";
import type { RunResult } from "../run-result.js";
import { readCsvSeries, type CsvSeriesOptions } from "./csv-series.js";
import { readLastLines } from "./log-tail.js";
import { renderReportPage, type ReportChart } from "./report-page.js";
import { renderLineChart } from "./svg-chart.js";

export interface WriteRunReportOptions {
  result: RunResult;
  /** The run's outputs/: charts come from its plots/ folder. */
  outputsDir: string;
  /** outputs/logs/main.log: the report shows its last lines. */
  mainLogPath: string;
  /** Usually outputs/report.html. */
  reportPath: string;
  /** Log lines shown (default 200). */
  logLines?: number;
  /** Plot files drawn at most (default 40). */
  maxCharts?: number;
  chart?: CsvSeriesOptions;
}

export interface RunReport {
  path: string;
  charts: number;
}

export async function writeRunReport(options: WriteRunReportOptions): Promise<RunReport> {
  const { charts, notes } = await plotCharts(join(options.outputsDir, "plots"), options.maxCharts ?? 40, options.chart ?? {});
  const tail = await readLastLines(options.mainLogPath, options.logLines ?? 200);
  const log = { label: logLabel(options.outputsDir, options.mainLogPath), ...tail };
  const html = renderReportPage({ result: options.result, charts, chartNotes: notes, log, generatedAt: new Date() });
  const temporary = `${options.reportPath}.${randomUUID()}.tmp`;
  try {
    await writeFile(temporary, html);
    await rename(temporary, options.reportPath);
  } finally {
    await rm(temporary, { force: true });
  }
  return { path: options.reportPath, charts: charts.length };
}

async function plotCharts(plotsDir: string, maxCharts: number, chartOptions: CsvSeriesOptions): Promise<{ charts: ReportChart[]; notes: string[] }> {
  const files = await csvFiles(plotsDir);
  const charts: ReportChart[] = [];
  const notes: string[] = [];
  for (const path of files.slice(0, maxCharts)) {
    const title = `plots/${path}`;
    try {
      const data = await readCsvSeries(join(plotsDir, ...path.split("/")), chartOptions);
      if (data) charts.push({ title, svg: renderLineChart(data, title), notes: data.notes });
    } catch (error) {
      notes.push(`${title} could not be read: ${(error as Error).message}`);
    }
  }
  if (files.length > maxCharts) notes.push(`${files.length - maxCharts} more CSV files in plots/ are not drawn (the first ${maxCharts} are).`);
  return { charts, notes };
}

/** "outputs/logs/main.log" when the log is below outputs/, else its file name: never the node's paths. */
function logLabel(outputsDir: string, logPath: string): string {
  const rel = relative(outputsDir, logPath);
  return rel.startsWith("..") || rel.startsWith(sep) ? basename(logPath) : `outputs/${rel.split(sep).join("/")}`;
}

/** Every *.csv below plots/, sorted, hidden ones and symlinks left out. */
async function csvFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  const pending = [""];
  while (pending.length) {
    const rel = pending.pop() as string;
    let dir;
    try {
      dir = await opendir(rel ? join(root, ...rel.split("/")) : root);
    } catch {
      continue;
    }
    for await (const entry of dir) {
      if (entry.name.startsWith(".")) continue;
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile() && entry.name.toLowerCase().endsWith(".csv")) found.push(path);
    }
  }
  return found.sort();
}
