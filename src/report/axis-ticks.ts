/** Axis ranges and "nice" ticks (1, 2, 5 × 10^k), so tick labels read as round numbers. */

export interface Axis {
  min: number;
  max: number;
  ticks: number[];
  /** Formats a value with as many decimals as the tick step needs. */
  format(value: number): string;
}

/** `values` are the data's extremes; a flat or empty range is widened so there is something to draw. */
export function niceAxis(low: number, high: number, targetTicks = 6): Axis {
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
  const ticks: number[] = [];
  // Ticks from an integer count, not by adding step repeatedly: no drift, no 0.30000000000000004.
  for (let i = 0; first + i * step <= last + step / 2; i++) ticks.push(first + i * step);
  return { min: first, max: last, ticks, format: (v) => formatTick(v, step, Math.max(Math.abs(first), Math.abs(last))) };
}

function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

function formatTick(value: number, step: number, magnitude: number): string {
  if (Math.abs(value) < step * 1e-9) return "0"; // not "-0" or 1e-17 from rounding
  if (magnitude >= 1e6 || step < 1e-4) {
    const digits = Math.max(0, Math.min(6, Math.ceil(Math.log10(magnitude / step))));
    return value.toExponential(digits).replace(/\.?0+e/, "e");
  }
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  return value.toFixed(decimals);
}
