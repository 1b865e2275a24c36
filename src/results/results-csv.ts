/**
 * outputs/results.csv → the results patched onto the run. Two forms
 * (protocol.md, "Post-processing"): the Python runner's wide form (a row of
 * names, a row of values typed by inference) and the long form with the header
 * `name,type,value`. A bad row is skipped with a warning naming its line; the
 * rest go through. Never throws: a solver's typo must not fail the run.
 */
import type { ResultEntry, ResultType } from "../platform/types.js";
import { readCsvRecords, type CsvRecord } from "../text/csv-record.js";

export type { ResultType };
/** One result as the platform takes it (`PUT simulation/run/patch/{runId}`). */
export type RunResultValue = ResultEntry;

export interface ResultsParse {
  results: RunResultValue[];
  warnings: string[];
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
const RESULT_TYPES: readonly string[] = ["scalar", "boolean", "ascii"];

export function parseResultsCsv(text: string, fileLabel = "results.csv"): ResultsParse {
  const records = readCsvRecords(text);
  const header = records[0];
  if (header === undefined) return { results: [], warnings: [] };
  const out: ResultsParse = { results: [], warnings: [] };
  const warn = (line: number, message: string): void => {
    out.warnings.push(`${fileLabel} line ${line}: ${message}`);
  };
  if (isLongHeader(header.fields)) readLong(records.slice(1), out.results, warn);
  else readWide(header, records.slice(1), out.results, warn);
  return out;
}

type Warn = (line: number, message: string) => void;

function isLongHeader(fields: string[]): boolean {
  return fields.length === 3 && fields.map((f) => f.trim().toLowerCase()).join(",") === "name,type,value";
}

function readLong(rows: CsvRecord[], results: RunResultValue[], warn: Warn): void {
  for (const { fields, line } of rows) {
    if (fields.length !== 3) {
      warn(line, `expected 3 fields (name,type,value), got ${fields.length}; quote a value that holds commas; row skipped`);
      continue;
    }
    const [rawName = "", rawType = "", rawValue = ""] = fields;
    const name = rawName.trim();
    const type = rawType.trim().toLowerCase();
    const value = rawValue.trim();
    if (name === "") {
      warn(line, "empty name; row skipped");
    } else if (!RESULT_TYPES.includes(type)) {
      warn(line, `type "${rawType.trim()}" must be scalar, boolean or ascii; row skipped`);
    } else if (type === "scalar") {
      const number = toNumber(value);
      if (number === undefined) warn(line, `scalar "${value}" is not a number; row skipped`);
      else results.push({ name, type, value: number });
    } else if (type === "boolean") {
      const flag = toBoolean(value);
      if (flag === undefined) warn(line, `boolean "${value}" is not true or false; row skipped`);
      else results.push({ name, type, value: flag });
    } else {
      results.push({ name, type: "ascii", value });
    }
  }
}

function readWide(header: CsvRecord, rows: CsvRecord[], results: RunResultValue[], warn: Warn): void {
  const values = rows[0];
  if (values === undefined) {
    warn(header.line, `${header.fields.length} name(s) but no row of values; no results`);
    return;
  }
  const missing: string[] = [];
  header.fields.forEach((rawName, i) => {
    const name = rawName.trim();
    const raw = values.fields[i];
    if (name === "") {
      warn(header.line, `column ${i + 1} has an empty name; skipped`);
    } else if (raw === undefined) {
      missing.push(`"${name}"`);
    } else {
      results.push(inferResult(name, raw.trim()));
    }
  });
  if (missing.length > 0) {
    warn(values.line, `no value for ${missing.join(", ")} (${values.fields.length} value(s) for ${header.fields.length} name(s)); skipped`);
  }
  if (values.fields.length > header.fields.length) {
    warn(values.line, `${values.fields.length} values for ${header.fields.length} name(s); the extra values are ignored`);
  }
  const extra = rows[1];
  if (extra !== undefined) {
    warn(
      extra.line,
      `${rows.length - 1} more row(s) after the row of values are ignored (the wide form has one row; ` +
        `use the header name,type,value for one result per row)`,
    );
  }
}

/** The Python runner's inference: a number → scalar, true/false → boolean, else ascii. */
function inferResult(name: string, value: string): RunResultValue {
  const number = toNumber(value);
  if (number !== undefined) return { name, type: "scalar", value: number };
  const flag = toBoolean(value);
  if (flag !== undefined) return { name, type: "boolean", value: flag };
  return { name, type: "ascii", value };
}

/** A finite decimal number as written (not "", "0x10", "Infinity" or "1e999"). */
function toNumber(value: string): number | undefined {
  if (!NUMBER.test(value)) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

function toBoolean(value: string): boolean | undefined {
  const lower = value.toLowerCase();
  return lower === "true" ? true : lower === "false" ? false : undefined;
}
