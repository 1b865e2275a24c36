/**
 * One chart as inline SVG: a line per series, axes with ticks and labels, a legend. Plain SVG with
 * attributes only (no script, no external font), so the page draws offline and without JavaScript.
 */
import { dataAxes, round2 as round, seriesColor, seriesDashed, shorten, unbrokenRuns, type Axis } from "../../assets/dashboard/chart-geometry.js";
import type { ChartData } from "./csv-series.js";
import { escapeHtml } from "./html-escape.js";

export interface ChartLayout {
  width: number;
  plotHeight: number;
}

const MARGIN = { left: 72, right: 36, top: 12, bottom: 44 };
const LEGEND_ROW = 20;
const LEGEND_ENTRY = 200;

export function renderLineChart(chart: ChartData, title: string, layout: ChartLayout = { width: 760, plotHeight: 320 }): string {
  const { width, plotHeight } = layout;
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const { x, y } = dataAxes(chart.series.map((series) => series.line), 7, 6);
  const sx = (v: number) => MARGIN.left + ((v - x.min) / (x.max - x.min)) * plotWidth;
  const sy = (v: number) => MARGIN.top + plotHeight - ((v - y.min) / (y.max - y.min)) * plotHeight;
  const perRow = Math.max(1, Math.floor(plotWidth / LEGEND_ENTRY));
  const legendTop = MARGIN.top + plotHeight + MARGIN.bottom;
  const height = legendTop + Math.ceil(chart.series.length / perRow) * LEGEND_ROW + 4;

  const parts: string[] = [
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}">`,
    `<title>${escapeHtml(title)}</title>`,
    `<rect class="plot-area" x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}"/>`,
    ...xTicks(x, sx, plotHeight),
    ...yTicks(y, sy, plotWidth),
    `<text class="axis-label" x="${MARGIN.left + plotWidth / 2}" y="${MARGIN.top + plotHeight + 36}" text-anchor="middle">${escapeHtml(chart.xLabel)}</text>`,
  ];
  if (chart.yLabel) {
    const cy = MARGIN.top + plotHeight / 2;
    parts.push(`<text class="axis-label" x="16" y="${cy}" text-anchor="middle" transform="rotate(-90 16 ${cy})">${escapeHtml(chart.yLabel)}</text>`);
  }
  chart.series.forEach((series, i) => {
    const stroke = style(i);
    parts.push(`<g class="series" data-series="${escapeHtml(series.name)}" ${stroke} fill="none">`);
    for (const run of unbrokenRuns(series.line)) {
      if (run.length === 1) {
        const [p] = run as [{ x: number; y: number }];
        parts.push(`<circle cx="${round(sx(p.x))}" cy="${round(sy(p.y))}" r="2" fill="${seriesColor(i)}"/>`);
      } else {
        parts.push(`<polyline points="${run.map((p) => `${round(sx(p.x))},${round(sy(p.y))}`).join(" ")}"/>`);
      }
    }
    parts.push("</g>");
    const lx = MARGIN.left + (i % perRow) * LEGEND_ENTRY;
    const ly = legendTop + Math.floor(i / perRow) * LEGEND_ROW + 10;
    parts.push(
      `<g class="legend-entry"><line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" ${stroke}/>` +
        `<text x="${lx + 30}" y="${ly + 4}">${escapeHtml(shorten(series.name, 26))}</text></g>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}

function xTicks(x: Axis, sx: (v: number) => number, plotHeight: number): string[] {
  const base = MARGIN.top + plotHeight;
  return x.ticks.map((t) => {
    const px = round(sx(t));
    return `<g class="tick"><line class="grid" x1="${px}" y1="${MARGIN.top}" x2="${px}" y2="${base}"/><line x1="${px}" y1="${base}" x2="${px}" y2="${base + 5}"/><text x="${px}" y="${base + 18}" text-anchor="middle">${escapeHtml(x.format(t))}</text></g>`;
  });
}

function yTicks(y: Axis, sy: (v: number) => number, plotWidth: number): string[] {
  return y.ticks.map((t) => {
    const py = round(sy(t));
    return `<g class="tick"><line class="grid" x1="${MARGIN.left}" y1="${py}" x2="${MARGIN.left + plotWidth}" y2="${py}"/><line x1="${MARGIN.left - 5}" y1="${py}" x2="${MARGIN.left}" y2="${py}"/><text x="${MARGIN.left - 8}" y="${py + 4}" text-anchor="end">${escapeHtml(y.format(t))}</text></g>`;
  });
}

function style(i: number): string {
  return `stroke="${seriesColor(i)}" stroke-width="1.5"${seriesDashed(i) ? ` stroke-dasharray="6 3"` : ""}`;
}
