// What the dashboard's charts and the runner's HTML report (src/report/svg-chart.ts) share: axis
// ranges with "nice" ticks (1, 2, 5 × 10^k), the data's extent, the unbroken stretches of a line,
// and each series' colour and dash. One module for both: the browser loads it as it is, and the
// report imports it through chart-geometry.d.ts. Plain JavaScript, no DOM and no Node.

/** Colour-blind-safe (Okabe–Ito), then repeated with dashes. */
const COLORS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#f0e442"];

/** `{min, max, ticks, format}` for data from `low` to `high`; a flat or empty range is widened. */
export function niceAxis(low, high, targetTicks = 6) {
  let min = Number.isFinite(low) ? low : 0;
  let max = Number.isFinite(high) ? high : 1;
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const step = niceStep((max - min) / Math.max(1, targetTicks - 1));
  const first = Math.floor(min / step) * step;
  const last = Math.ceil(max / step) * step;
  const ticks = [];
  // From an integer count, not by adding step repeatedly: no drift, no 0.30000000000000004.
  for (let i = 0; first + i * step <= last + step / 2; i++) ticks.push(first + i * step);
  const magnitude = Math.max(Math.abs(first), Math.abs(last));
  return { min: first, max: last, ticks, format: (v) => formatTick(v, step, magnitude) };
}

function niceStep(rough) {
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

function formatTick(value, step, magnitude) {
  if (Math.abs(value) < step * 1e-9) return "0"; // not "-0" or 1e-17 from rounding
  if (magnitude >= 1e6 || step < 1e-4) {
    const digits = Math.max(0, Math.min(6, Math.ceil(Math.log10(magnitude / step))));
    return value.toExponential(digits).replace(/\.?0+e/, "e");
  }
  return value.toFixed(Math.max(0, -Math.floor(Math.log10(step))));
}

/** The x and y axes over every point of `lines` (arrays of points, a gap being null). */
export function dataAxes(lines, xTicks, yTicks) {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const line of lines) {
    for (const p of line) {
      if (!p) continue;
      x0 = Math.min(x0, p.x);
      x1 = Math.max(x1, p.x);
      y0 = Math.min(y0, p.y);
      y1 = Math.max(y1, p.y);
    }
  }
  return { x: niceAxis(x0, x1, xTicks), y: niceAxis(y0, y1, yTicks) };
}

/** The unbroken stretches of a line: its points between gaps (nulls). */
export function unbrokenRuns(line) {
  const out = [];
  let current = [];
  for (const p of line) {
    if (p) current.push(p);
    else if (current.length) {
      out.push(current);
      current = [];
    }
  }
  if (current.length) out.push(current);
  return out;
}

/** Series `i`'s colour, and whether it is dashed (the second time round the colours). */
export function seriesColor(i) {
  return COLORS[i % COLORS.length];
}

export function seriesDashed(i) {
  return Math.floor(i / COLORS.length) % 2 === 1;
}

/** A coordinate to two decimals, as the SVG carries it. */
export const round2 = (v) => Math.round(v * 100) / 100;

/** `text` cut to `max` characters, with "…" when cut. */
export const shorten = (text, max) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
