/**
 * A sweep's charts: each numeric result against each parameter that takes more than one number.
 * When other parameters vary too, each of their combinations is a line of its own (a 2-D sweep
 * gives one line per value of the other parameter); past a dozen lines the points are drawn alone.
 */
import type { ChartData, ChartSeries } from "../../report/index.js";
import type { ParamValue } from "../../sweep/spec-types.js";

export interface SweepPoint {
  parameters: Record<string, ParamValue>;
  /** Result name → value, as the run stored them. */
  results: Record<string, number | boolean | string>;
}

export interface SweepChart {
  result: string;
  parameter: string;
  data: ChartData;
}

const MAX_LINES = 12;

export function sweepCharts(points: readonly SweepPoint[], maxCharts = 60): { charts: SweepChart[]; notes: string[] } {
  const parameters = numericParameters(points);
  const results = numericResults(points);
  const charts: SweepChart[] = [];
  for (const result of results) {
    for (const parameter of parameters) charts.push({ result, parameter, data: chartOf(points, parameter, result) });
  }
  const notes = charts.length > maxCharts ? [`${charts.length - maxCharts} more charts are left out (the first ${maxCharts} are drawn).`] : [];
  return { charts: charts.slice(0, maxCharts), notes };
}

/** Parameters that are a number at every point and take at least two values. */
export function numericParameters(points: readonly SweepPoint[]): string[] {
  return namesOf(points.map((p) => p.parameters)).filter((name) => {
    const values = points.map((p) => p.parameters[name]);
    return values.every((v) => typeof v === "number" && Number.isFinite(v)) && new Set(values).size > 1;
  });
}

/** Results that are a finite number at one point at least. */
export function numericResults(points: readonly SweepPoint[]): string[] {
  return namesOf(points.map((p) => p.results)).filter((name) => points.some((p) => isNumber(p.results[name])));
}

/** Keys in the order they first appear. */
export function namesOf(records: readonly Record<string, unknown>[]): string[] {
  const names: string[] = [];
  for (const record of records) for (const name of Object.keys(record)) if (!names.includes(name)) names.push(name);
  return names;
}

function chartOf(points: readonly SweepPoint[], parameter: string, result: string): ChartData {
  const others = namesOf(points.map((p) => p.parameters)).filter((name) => name !== parameter);
  const groups = new Map<string, { x: number; y: number }[]>();
  for (const point of points) {
    const y = point.results[result];
    if (!isNumber(y)) continue;
    const key = others.filter((name) => varies(points, name)).map((name) => `${name}=${String(point.parameters[name] ?? "")}`).join(", ");
    const line = groups.get(key) ?? [];
    line.push({ x: point.parameters[parameter] as number, y });
    groups.set(key, line);
  }
  const notes: string[] = [];
  let series: ChartSeries[];
  if (groups.size <= MAX_LINES) {
    series = [...groups].map(([key, line]) => ({ name: key || result, line: line.sort((a, b) => a.x - b.x) }));
  } else {
    // A break between every two points: each is drawn as a dot.
    series = [{ name: result, line: [...groups.values()].flat().flatMap((p) => [p, null]) }];
    notes.push(`${groups.size} combinations of the other parameters: points only`);
  }
  return { xLabel: parameter, yLabel: result, series, notes };
}

function varies(points: readonly SweepPoint[], name: string): boolean {
  return new Set(points.map((p) => String(p.parameters[name] ?? ""))).size > 1;
}

function isNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}
