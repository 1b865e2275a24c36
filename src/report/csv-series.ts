/**
 * A plot CSV (outputs/plots/*.csv) as lines to draw: the first column is x, every other column with
 * numbers in it is a line. Read as a stream, one line at a time, each line sampled as it goes: a 1 GB
 * history costs a read, not a gigabyte of memory. One record per line (a quoted newline in a numeric
 * plot file is not worth a full CSV reader here); the fields are read by the project's CSV line reader.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { formatBytes } from "../log/format-bytes.js";
import { parseCsvLine } from "../text/csv-record.js";
import { LineSampler, type SampledLine } from "./line-sampler.js";

export interface ChartSeries {
  name: string;
  line: SampledLine;
}

export interface ChartData {
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  /** What was left out (columns, bytes), for the reader. */
  notes: string[];
}

export interface CsvSeriesOptions {
  /** Points per line at most (default 2000). */
  maxPoints?: number;
  /** Lines per chart at most (default 12: beyond that a chart is a tangle). */
  maxSeries?: number;
  /** Bytes read at most (default 256 MiB): the report must not hold post-processing up for long. */
  maxBytes?: number;
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eEdD][+-]?\d+)?$/;

/** A number as solvers write them, Fortran's 1.0D+03 included; anything else (empty, "nan", text) is NaN. */
export function parseNumber(cell: string | undefined): number {
  const text = cell?.trim() ?? "";
  return NUMBER.test(text) ? Number(text.replace(/[dD]/, "e")) : NaN;
}

/** Undefined when the file has no line to draw. */
export async function readCsvSeries(path: string, options: CsvSeriesOptions = {}): Promise<ChartData | undefined> {
  const maxPoints = options.maxPoints ?? 2000;
  const maxSeries = options.maxSeries ?? 12;
  const maxBytes = options.maxBytes ?? 256 * 1024 ** 2;
  const size = (await stat(path)).size;
  const lines = createInterface({ input: createReadStream(path, { end: Math.max(0, maxBytes - 1) }), crlfDelay: Infinity });

  let names: string[] | undefined;
  let samplers: LineSampler[] = [];
  let xByRow: boolean | undefined;
  let row = 0;
  const take = (text: string): void => {
    if (text.trim() === "") return;
    const fields = parseCsvLine(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    if (names === undefined) {
      const header = fields.some((f) => f.trim() !== "" && Number.isNaN(parseNumber(f)));
      names = header ? fields.map((f, i) => f.trim() || `column ${i + 1}`) : fields.map((_, i) => (i === 0 ? "x" : `column ${i + 1}`));
      samplers = names.slice(1).map(() => new LineSampler(maxPoints));
      if (header) return;
    }
    // Decided on the first row: an x that is not a number there (a date, a label) means x is the row.
    xByRow ??= Number.isNaN(parseNumber(fields[0]));
    row++;
    const x = xByRow ? row : parseNumber(fields[0]);
    samplers.forEach((s, i) => s.add(x, parseNumber(fields[i + 1])));
  };
  // One line behind, so that a read cut at maxBytes drops its cut last line instead of drawing half a number.
  let previous: string | undefined;
  for await (const text of lines) {
    if (previous !== undefined) take(previous);
    previous = text;
  }
  if (previous !== undefined && size <= maxBytes) take(previous);
  if (names === undefined) return undefined;

  const numeric = samplers.map((s, i) => ({ s, name: names?.[i + 1] ?? "" })).filter(({ s }) => s.count > 0);
  if (numeric.length === 0) return undefined;
  const shown = numeric.slice(0, maxSeries);
  const notes: string[] = [];
  if (numeric.length > shown.length) notes.push(`the first ${shown.length} of ${numeric.length} numeric columns are drawn`);
  if (size > maxBytes) notes.push(`the first ${formatBytes(maxBytes)} of ${formatBytes(size)} are drawn`);
  const thinned = shown.filter(({ s }) => s.count > maxPoints).length;
  if (thinned) notes.push(`long lines are thinned to at most ${maxPoints} points, keeping every peak`);
  return {
    xLabel: xByRow ? "row" : (names[0] ?? "x"),
    yLabel: shown.length === 1 ? (shown[0]?.name ?? "") : "",
    series: shown.map(({ s, name }) => ({ name, line: s.points() })),
    notes,
  };
}
