import { relative } from "node:path";
import { formatDuration } from "../config/duration.js";
import { formatBytes } from "../log/format-bytes.js";
import type { RunResult } from "../run-result.js";

const MAX_OUTPUTS_LISTED = 30;

/** The run summary a person reads at the end: status, stage timings, results, outputs. */
export function renderSummary(result: RunResult, cwd = process.cwd()): string {
  const lines: string[] = [];
  const status = result.status === "finished" ? "finished" : "ERROR";
  lines.push(`Run ${status} in ${formatDuration(result.durationMs)} at ${result.progress}% (exit code ${result.exitCode})`);
  if (result.error) lines.push(`  ${result.error.message.split("\n").join("\n  ")}`);
  lines.push("");
  lines.push(
    ...table(
      ["stage", "status", "time", "note"],
      result.stages.map((s) => [
        s.name,
        s.status,
        s.durationMs !== undefined ? formatDuration(s.durationMs) : "",
        s.status === "failed" ? (s.error ?? "").split("\n")[0] ?? "" : (s.note ?? ""),
      ]),
    ),
  );
  if (result.results.length) {
    lines.push("", "Results (outputs/results.csv)");
    lines.push(...table(["name", "type", "value"], result.results.map((r) => [r.name, r.type, String(r.value)])).map(indent));
  }
  if (result.outputs.length) {
    const total = result.outputs.reduce((sum, o) => sum + o.size, 0);
    const files = result.outputs.length === 1 ? "1 file" : `${result.outputs.length} files`;
    lines.push("", `Outputs (${files}, ${formatBytes(total)} in ${shortPath(`${result.workDir}/outputs`, cwd)})`);
    const shown = result.outputs.slice(0, MAX_OUTPUTS_LISTED);
    lines.push(...table(["file", "size"], shown.map((o) => [o.path, formatBytes(o.size)])).map(indent));
    if (result.outputs.length > shown.length) lines.push(`  … and ${result.outputs.length - shown.length} more`);
  }
  if (result.report) lines.push("", `Report: ${shortPath(result.report, cwd)}`);
  // The solver's output only when a solver ran (result.solver): else there is none to point to.
  const solverOutput = result.solver ? `; solver output: ${shortPath(`${result.workDir}/debug/main.txt`, cwd)}` : "";
  lines.push(`Summary: ${shortPath(`${result.workDir}/debug/run.json`, cwd)}${solverOutput}`);
  return lines.join("\n") + "\n";
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [fmt(header), fmt(widths.map((w) => "-".repeat(w))), ...rows.map(fmt)];
}

function indent(line: string): string {
  return `  ${line}`;
}

function shortPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith("..") ? rel : path;
}
