// Types of chart-geometry.js, for the runner's report (src/report/svg-chart.ts).

export interface Axis {
  min: number;
  max: number;
  ticks: number[];
  /** Formats a value with as many decimals as the tick step needs. */
  format(value: number): string;
}

export interface Point {
  x: number;
  y: number;
}

export function niceAxis(low: number, high: number, targetTicks?: number): Axis;
export function dataAxes(lines: Iterable<readonly (Point | null | undefined)[]>, xTicks: number, yTicks: number): { x: Axis; y: Axis };
export function unbrokenRuns<P extends Point>(line: readonly (P | null | undefined)[]): P[][];
export function seriesColor(i: number): string;
export function seriesDashed(i: number): boolean;
export function round2(v: number): number;
export function shorten(text: string, max: number): string;
