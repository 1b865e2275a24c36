// Axis ranges and "nice" ticks (1, 2, 5 × 10^k), as the runner's report draws them (src/report/axis-ticks.ts).

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
  if (Math.abs(value) < step * 1e-9) return "0";
  if (magnitude >= 1e6 || step < 1e-4) {
    const digits = Math.max(0, Math.min(6, Math.ceil(Math.log10(magnitude / step))));
    return value.toExponential(digits).replace(/\.?0+e/, "e");
  }
  return value.toFixed(Math.max(0, -Math.floor(Math.log10(step))));
}
