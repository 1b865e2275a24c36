/** A range of numbers as the spec writes it: {from, to, step} or {from, to, num}, linear or log. */
export interface RangeSpec {
  from: number;
  to: number;
  step?: number;
  num?: number;
  scale: "linear" | "log";
}

/** 12 significant digits: 0.1 + 2 * 0.1 is 0.3, not 0.30000000000000004. */
export function roundSignificant(x: number): number {
  return x === 0 ? 0 : Number(x.toPrecision(12));
}

/**
 * The values of a range. Each is computed from `from` and its own index (never by adding steps up,
 * which drifts), then rounded; `to` is included when the steps land on it.
 */
export function expandRange(range: RangeSpec): number[] {
  const { from, to, scale } = range;
  if (range.num !== undefined) {
    const num = range.num;
    if (num === 1) return [from];
    if (scale === "log") {
      const a = Math.log10(from);
      const b = Math.log10(to);
      return Array.from({ length: num }, (_, i) => (i === 0 ? from : i === num - 1 ? to : roundSignificant(10 ** (a + ((b - a) * i) / (num - 1)))));
    }
    return Array.from({ length: num }, (_, i) => (i === num - 1 ? to : roundSignificant(from + ((to - from) * i) / (num - 1))));
  }
  const step = range.step as number;
  // The tolerance lets {from: 0, to: 1, step: 0.1} end at 1 although 1/0.1 is 9.999999999999998.
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  return Array.from({ length: count }, (_, i) => roundSignificant(from + i * step));
}
