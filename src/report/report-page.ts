/**
 * The report as one HTML string: status, stage times, results, charts, warnings, outputs, log tail.
 * Every value from the run (labels, names, log lines, errors) is escaped here; only the chart SVG,
 * built from escaped parts, goes in as markup. A Content-Security-Policy forbids any fetch and any script.
 */
import { formatBytes } from "../log/format-bytes.js";
import type { RunResult } from "../run-result.js";
import { escapeHtml, printableLine } from "./html-escape.js";
import { htmlPage } from "./html-page.js";
import { REPORT_CSS } from "./report-style.js";

export interface ReportChart {
  /** Where the data came from, e.g. "plots/temperature.csv". */
  title: string;
  svg: string;
  notes: string[];
}

export interface ReportModel {
  result: RunResult;
  charts: ReportChart[];
  /** Notes about charts left out (too many files, unreadable ones). */
  chartNotes: string[];
  log: { label: string; lines: string[]; more: boolean };
  generatedAt: Date;
}

const MAX_OUTPUT_ROWS = 500;

export function renderReportPage(model: ReportModel): string {
  const { result } = model;
  const e = escapeHtml;
  return htmlPage(
    `Run ${result.runId}: ${result.status}`,
    REPORT_CSS,
    `<header>
<h1>Run ${e(result.runId)} <span class="status ${result.status === "finished" ? "finished" : "error"}">${e(result.status)}</span></h1>
<p class="label">${e(result.label)}</p>
</header>
${result.error ? `<div class="error-box"><strong>${e(result.error.code)}</strong>: ${e(result.error.message)}</div>` : ""}
${facts(result)}
${stages(result)}
${results(result)}
${charts(model)}
${warnings(result)}
${outputs(result)}
${logTail(model.log)}
<p class="muted">Written ${e(model.generatedAt.toISOString())} by physicsworks-solve.</p>`,
  );
}

function facts(r: RunResult): string {
  const rows: [string, string][] = [
    ["Started", r.startedAt],
    ["Duration", formatDuration(r.durationMs)],
    ["Progress", `${Math.round(r.progress)} %`],
    ["Exit code", String(r.exitCode)],
    ["Work directory", r.workDir],
  ];
  if (r.solver) {
    const how = r.solver.signal ? `signal ${r.solver.signal}` : `exit ${r.solver.exitCode ?? "?"}`;
    rows.push(["Solver", `${how} after ${formatDuration(r.solver.durationMs)}`]);
  }
  return `<table class="facts">${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join("")}</table>`;
}

function stages(r: RunResult): string {
  if (!r.stages.length) return "";
  const rows = r.stages.map((s) => {
    const detail = s.error ?? s.note ?? "";
    const duration = s.durationMs === undefined ? "" : formatDuration(s.durationMs);
    return `<tr><td>${escapeHtml(s.name)}</td><td class="s-${escapeHtml(s.status)}">${escapeHtml(s.status)}</td><td class="num">${escapeHtml(duration)}</td><td>${escapeHtml(detail)}</td></tr>`;
  });
  return section("Stages", `<table><tr><th>Stage</th><th>Status</th><th class="num">Time</th><th>Note</th></tr>${rows.join("")}</table>`);
}

function results(r: RunResult): string {
  if (!r.results.length) return section("Results", `<p class="muted">No results (outputs/results.csv).</p>`);
  const rows = r.results.map((v) => {
    return `<tr><td>${escapeHtml(v.name)}</td><td class="value">${escapeHtml(String(v.value))}</td><td class="muted">${escapeHtml(v.type)}</td></tr>`;
  });
  return section("Results", `<table><tr><th>Name</th><th>Value</th><th>Type</th></tr>${rows.join("")}</table>`);
}

function charts(model: ReportModel): string {
  const notes = model.chartNotes.map((n) => `<p class="muted">${escapeHtml(n)}</p>`).join("");
  if (!model.charts.length) return section("Plots", `<p class="muted">No numeric CSV in outputs/plots/.</p>${notes}`);
  const figures = model.charts.map((c) => {
    const note = c.notes.length ? ` <span class="note">(${escapeHtml(c.notes.join("; "))})</span>` : "";
    return `<figure><figcaption>${escapeHtml(c.title)}${note}</figcaption>\n${c.svg}\n</figure>`;
  });
  return section("Plots", figures.join("\n") + notes);
}

function warnings(r: RunResult): string {
  if (!r.warnings.length) return "";
  return section("Warnings", `<ul class="warnings">${r.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join("")}</ul>`);
}

function outputs(r: RunResult): string {
  if (!r.outputs.length) return "";
  const shown = r.outputs.slice(0, MAX_OUTPUT_ROWS);
  const rows = shown.map((o) => `<tr><td>outputs/${escapeHtml(o.path)}</td><td class="num">${escapeHtml(formatBytes(o.size))}</td></tr>`);
  const more = r.outputs.length > shown.length ? `<p class="muted">and ${r.outputs.length - shown.length} more.</p>` : "";
  return section(`Output files (${r.outputs.length})`, `<table><tr><th>Path</th><th class="num">Size</th></tr>${rows.join("")}</table>${more}`);
}

function logTail(log: ReportModel["log"]): string {
  if (!log.lines.length) return section("Log", `<p class="muted">${escapeHtml(log.label)} is empty or missing.</p>`);
  const heading = log.more ? `Log: the last ${log.lines.length} lines of ${log.label}` : `Log: ${log.label}`;
  return section(heading, `<pre class="log">${log.lines.map((l) => escapeHtml(printableLine(l))).join("\n")}</pre>`);
}

function section(title: string, body: string): string {
  return `<section>\n<h2>${escapeHtml(title)}</h2>\n${body}\n</section>`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
