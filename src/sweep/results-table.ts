import { writeFile } from "node:fs/promises";
import type { PointState } from "./point-status.js";
import type { SweepSpec } from "./spec-types.js";

/** The table of a sweep: one row per point, the same columns in the terminal and in sweep-results.csv. */
export interface ResultsTable {
  header: string[];
  rows: string[][];
}

/**
 * Columns: index, dir, each parameter, status, duration (s), each result name (the union over the
 * points, in the order they first appear). `extra` adds columns after status (e.g. the SLURM state).
 */
export function resultsTable(spec: SweepSpec, states: PointState[], extra?: { name: string; value: (s: PointState) => string }): ResultsTable {
  const resultNames = resultNamesOf(states);
  const params = spec.parameters.map((p) => p.name);
  const header = ["index", "dir", ...params, "status", ...(extra ? [extra.name] : []), "duration_s", ...resultNames];
  const rows = states.map((s) => {
    const results = new Map((s.result?.results ?? []).map((r) => [r.name, String(r.value)]));
    return [
      String(s.point.index),
      s.point.dir,
      ...params.map((p) => String(s.point.parameters[p] ?? "")),
      s.status,
      ...(extra ? [extra.value(s)] : []),
      s.result ? (s.result.durationMs / 1000).toFixed(1) : "",
      ...resultNames.map((n) => results.get(n) ?? ""),
    ];
  });
  return { header, rows };
}

/**
 * The same columns as resultsTable, one object per point, with values as they are typed: the
 * index, numeric parameters, the duration and numeric results as numbers (`sweep status --json`,
 * for scripts). `duration_s` and a result the point did not report are null.
 */
export function resultsRecords(
  spec: SweepSpec,
  states: PointState[],
  extra?: { name: string; value: (s: PointState) => string },
): Record<string, string | number | boolean | null>[] {
  const resultNames = resultNamesOf(states);
  return states.map((s) => {
    const results = new Map((s.result?.results ?? []).map((r) => [r.name, r.value]));
    const record: Record<string, string | number | boolean | null> = { index: s.point.index, dir: s.point.dir };
    for (const p of spec.parameters) record[p.name] = s.point.parameters[p.name] ?? null;
    record.status = s.status;
    if (extra) record[extra.name] = extra.value(s);
    record.duration_s = s.result ? Number((s.result.durationMs / 1000).toFixed(1)) : null;
    for (const name of resultNames) record[name] = results.get(name) ?? null;
    return record;
  });
}

/** Each result name the points reported, in the order they first appear. */
function resultNamesOf(states: PointState[]): string[] {
  const names: string[] = [];
  for (const s of states) for (const r of s.result?.results ?? []) if (!names.includes(r.name)) names.push(r.name);
  return names;
}

/** RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled. */
export function toCsv(table: ResultsTable): string {
  const field = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [table.header, ...table.rows].map((row) => row.map(field).join(",")).join("\n") + "\n";
}

export async function writeResultsCsv(path: string, table: ResultsTable): Promise<void> {
  await writeFile(path, toCsv(table));
}

/** Columns padded to their widest cell, numbers right-aligned. */
export function renderTable(table: ResultsTable): string {
  const all = [table.header, ...table.rows];
  const widths = table.header.map((_, c) => Math.max(...all.map((row) => [...(row[c] ?? "")].length)));
  const numeric = table.header.map((_, c) => table.rows.length > 0 && table.rows.every((r) => r[c] === "" || Number.isFinite(Number(r[c]))));
  const line = (row: string[]) =>
    row
      .map((cell, c) => {
        const pad = " ".repeat((widths[c] ?? 0) - [...cell].length);
        return numeric[c] ? pad + cell : cell + pad;
      })
      .join("  ")
      .trimEnd();
  return [line(table.header), line(widths.map((w) => "-".repeat(w))), ...table.rows.map(line)].join("\n") + "\n";
}
