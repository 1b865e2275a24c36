/** A sweep's report: one row per point (parameters, status, results), then the charts of sweep-charts.ts. */
import { escapeHtml } from "../../report/html-escape.js";
import { renderLineChart } from "../../report/index.js";
import type { JobStatus } from "../platform-types.js";
import { reportPage, section, table } from "./page-shell.js";
import { namesOf, sweepCharts, type SweepPoint } from "./sweep-charts.js";

export interface SweepReportPoint extends SweepPoint {
  jobId: string;
  status: JobStatus;
}

export interface SweepReportModel {
  sweepId: string;
  solver: string;
  points: SweepReportPoint[];
  generatedAt: Date;
}

export function renderSweepReport(model: SweepReportModel): string {
  const { points } = model;
  const counts = new Map<JobStatus, number>();
  for (const p of points) counts.set(p.status, (counts.get(p.status) ?? 0) + 1);
  const summary = [...counts].map(([status, n]) => `${n} ${status}`).join(", ");
  const body = [
    `<header>\n<h1>Sweep ${escapeHtml(model.sweepId)}</h1>\n<p class="label">${escapeHtml(`${model.solver}: ${points.length} points; ${summary}`)}</p>\n</header>`,
    pointsTable(points),
    charts(points),
  ];
  return reportPage(`Sweep ${model.sweepId}`, body.join("\n"), model.generatedAt);
}

function pointsTable(points: SweepReportPoint[]): string {
  const parameters = namesOf(points.map((p) => p.parameters));
  const results = namesOf(points.map((p) => p.results));
  const header = ["Job", ...parameters, "Status", ...results];
  const rows = points.map((p) => [
    p.jobId,
    ...parameters.map((name) => (name in p.parameters ? String(p.parameters[name]) : "")),
    p.status,
    ...results.map((name) => (name in p.results ? String(p.results[name]) : "")),
  ]);
  const statusColumn = parameters.length + 1;
  return section("Points", table(header, rows, (c, value) => (c === statusColumn ? `s-${value}` : c > statusColumn ? "value" : "")));
}

function charts(points: SweepReportPoint[]): string {
  const { charts, notes } = sweepCharts(points);
  const extra = notes.map((n) => `<p class="muted">${escapeHtml(n)}</p>`).join("");
  if (!charts.length) return section("Charts", `<p class="muted">No numeric result against a parameter that takes more than one number.</p>${extra}`);
  const figures = charts.map(({ result, parameter, data }) => {
    const title = `${result} against ${parameter}`;
    const note = data.notes.length ? ` <span class="note">(${escapeHtml(data.notes.join("; "))})</span>` : "";
    return `<figure><figcaption>${escapeHtml(title)}${note}</figcaption>\n${renderLineChart(data, title)}\n</figure>`;
  });
  return section("Charts", figures.join("\n") + extra);
}
