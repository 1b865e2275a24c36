/**
 * A job's report when its runner left none (the job failed early, was cancelled, or is still
 * running): what the platform knows of it, in the run report's look.
 */
import { formatBytes } from "../../log/format-bytes.js";
import type { ResultEntry } from "../../platform/types.js";
import { escapeHtml, printableLine } from "../../report/html-escape.js";
import { formatDuration } from "../../report/report-page.js";
import type { Job } from "../platform-types.js";
import { reportPage, section, statusBadge, table } from "./page-shell.js";

export interface JobReportChart {
  title: string;
  svg: string;
  notes: string[];
}

export interface JobReportModel {
  job: Job;
  results: ResultEntry[];
  files: { path: string; size: number }[];
  charts: JobReportChart[];
  chartNotes: string[];
  log: { lines: string[]; more: boolean };
  generatedAt: Date;
}

export function renderJobReport(model: JobReportModel): string {
  const { job } = model;
  const e = escapeHtml;
  const body = [
    `<header>\n<h1>Job ${e(job.id)} ${statusBadge(job.status)}</h1>\n<p class="label">${e(job.statusLabel ?? "")}</p>\n</header>`,
    job.error ? `<div class="error-box">${e(job.error)}</div>` : "",
    facts(job),
    parameters(job),
    results(model.results),
    charts(model),
    outputs(model.files),
    logTail(model.log),
  ];
  return reportPage(`Job ${job.id}: ${job.status}`, body.filter(Boolean).join("\n"), model.generatedAt);
}

function facts(job: Job): string {
  const rows: [string, string][] = [
    ["Solver", job.solver],
    ["Created", job.createdAt],
    ["Started", job.startedAt ?? "not yet"],
    ["Ended", job.endedAt ?? "not yet"],
  ];
  if (job.startedAt && job.endedAt) rows.push(["Duration", formatDuration(Date.parse(job.endedAt) - Date.parse(job.startedAt))]);
  rows.push(["Progress", `${Math.round(job.progress)} %`]);
  if (job.exitCode !== null) rows.push(["Exit code", String(job.exitCode)]);
  if (job.sweepId) rows.push(["Sweep", job.sweepId]);
  if (job.runId) rows.push(["Run", job.runId]);
  return `<table class="facts">${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join("")}</table>`;
}

function parameters(job: Job): string {
  const entries = Object.entries(job.parameters);
  if (!entries.length) return section("Parameters", `<p class="muted">The solver's defaults.</p>`);
  return section("Parameters", table(["Name", "Value"], entries.map(([k, v]) => [k, String(v)])));
}

function results(list: ResultEntry[]): string {
  if (!list.length) return section("Results", `<p class="muted">No results (outputs/results.csv).</p>`);
  return section("Results", table(["Name", "Value", "Type"], list.map((r) => [r.name, String(r.value), r.type]), (c) => (c === 1 ? "value" : c === 2 ? "muted" : "")));
}

function charts(model: JobReportModel): string {
  const notes = model.chartNotes.map((n) => `<p class="muted">${escapeHtml(n)}</p>`).join("");
  if (!model.charts.length) return section("Plots", `<p class="muted">No numeric CSV in outputs/plots/ on the server.</p>${notes}`);
  const figures = model.charts.map((c) => {
    const note = c.notes.length ? ` <span class="note">(${escapeHtml(c.notes.join("; "))})</span>` : "";
    return `<figure><figcaption>${escapeHtml(c.title)}${note}</figcaption>\n${c.svg}\n</figure>`;
  });
  return section("Plots", figures.join("\n") + notes);
}

function outputs(files: JobReportModel["files"]): string {
  if (!files.length) return "";
  return section(`Stored outputs (${files.length})`, table(["Path", "Size"], files.map((f) => [`outputs/${f.path}`, formatBytes(f.size)]), (c) => (c === 1 ? "num" : "")));
}

function logTail(log: JobReportModel["log"]): string {
  if (!log.lines.length) return section("Log", `<p class="muted">outputs/logs/main.log is empty or not stored.</p>`);
  const heading = log.more ? `Log: the last ${log.lines.length} lines of outputs/logs/main.log` : "Log: outputs/logs/main.log";
  return section(heading, `<pre class="log">${log.lines.map((l) => escapeHtml(printableLine(l))).join("\n")}</pre>`);
}
