// One chart as SVG built node by node (no markup parsed): a line per series, axes with ticks and
// labels, a legend. The shapes follow the runner's report (src/report/svg-chart.ts), sized for the
// panel; the geometry is the report's own module.
import { dataAxes, round2 as round, seriesColor, seriesDashed, shorten, unbrokenRuns } from "./chart-geometry.js";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 420;
const PLOT_HEIGHT = 190;
const MARGIN = { left: 58, right: 14, top: 10, bottom: 40 };
const LEGEND_ROW = 18;
const LEGEND_ENTRY = 130;

function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
}

/** `chart` is csvSeries()'s answer; `title` names the chart for screen readers and as its tooltip. */
export function lineChart(chart, title) {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const { x, y } = dataAxes(chart.series.map((series) => series.points), 6, 5);
  const sx = (v) => round(MARGIN.left + ((v - x.min) / (x.max - x.min)) * plotWidth);
  const sy = (v) => round(MARGIN.top + PLOT_HEIGHT - ((v - y.min) / (y.max - y.min)) * PLOT_HEIGHT);
  const base = MARGIN.top + PLOT_HEIGHT;
  const legend = chart.series.length > 1;
  const perRow = Math.max(1, Math.floor(plotWidth / LEGEND_ENTRY));
  const height = base + MARGIN.bottom + (legend ? Math.ceil(chart.series.length / perRow) * LEGEND_ROW : 0);

  const root = svg("svg", { class: "chart", viewBox: `0 0 ${WIDTH} ${height}`, role: "img", "aria-label": title }, svg("title", {}, title));
  root.append(svg("rect", { class: "plot-area", x: MARGIN.left, y: MARGIN.top, width: plotWidth, height: PLOT_HEIGHT }));
  for (const t of x.ticks) {
    const px = sx(t);
    root.append(
      svg("line", { class: "grid", x1: px, y1: MARGIN.top, x2: px, y2: base }),
      svg("text", { class: "tick", x: px, y: base + 14, "text-anchor": "middle" }, x.format(t)),
    );
  }
  for (const t of y.ticks) {
    const py = sy(t);
    root.append(
      svg("line", { class: "grid", x1: MARGIN.left, y1: py, x2: MARGIN.left + plotWidth, y2: py }),
      svg("text", { class: "tick", x: MARGIN.left - 6, y: py + 3.5, "text-anchor": "end" }, y.format(t)),
    );
  }
  root.append(svg("text", { class: "axis-label", x: MARGIN.left + plotWidth / 2, y: base + 32, "text-anchor": "middle" }, chart.xLabel));
  if (chart.yLabel) {
    const cy = MARGIN.top + PLOT_HEIGHT / 2;
    root.append(svg("text", { class: "axis-label", x: 12, y: cy, "text-anchor": "middle", transform: `rotate(-90 12 ${cy})` }, chart.yLabel));
  }

  chart.series.forEach((series, i) => {
    const group = svg("g", { class: "series", ...stroke(i), fill: "none" });
    group.dataset.series = series.name;
    for (const run of unbrokenRuns(series.points)) {
      if (run.length === 1) group.append(svg("circle", { cx: sx(run[0].x), cy: sy(run[0].y), r: 2, fill: seriesColor(i) }));
      else group.append(svg("polyline", { points: run.map((p) => `${sx(p.x)},${sy(p.y)}`).join(" ") }));
    }
    root.append(group);
    if (!legend) return;
    const lx = MARGIN.left + (i % perRow) * LEGEND_ENTRY;
    const ly = base + MARGIN.bottom + Math.floor(i / perRow) * LEGEND_ROW + 6;
    root.append(
      svg("g", { class: "legend-entry" }, svg("line", { x1: lx, y1: ly, x2: lx + 20, y2: ly, ...stroke(i) }), svg("text", { x: lx + 25, y: ly + 3.5 }, shorten(series.name, 16))),
    );
  });
  return root;
}

function stroke(i) {
  return { stroke: seriesColor(i), "stroke-width": 1.5, ...(seriesDashed(i) ? { "stroke-dasharray": "6 3" } : {}) };
}
