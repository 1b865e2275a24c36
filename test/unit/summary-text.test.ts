import { describe, expect, it } from "vitest";
import { renderSummary } from "../../src/cli/summary-text.js";
import type { RunResult } from "../../src/run-result.js";

const base: RunResult = {
  status: "error",
  exitCode: 2,
  runId: "r1",
  workDir: "/w",
  startedAt: "2026-12-03T10:00:00.000Z",
  durationMs: 1200,
  progress: 0,
  label: "",
  stages: [{ name: "execute", status: "failed", error: "main script not found: /w/scripts/main.py" }],
  results: [],
  outputs: [{ path: "state.txt", size: 10 }],
  error: { code: "config", message: "main script not found: /w/scripts/main.py" },
  warnings: [],
};

describe("the run summary", () => {
  it("counts one output as one file, and points to no solver output when no solver ran", () => {
    const text = renderSummary(base, "/");
    expect(text).toContain("Outputs (1 file, 10.0B in w/outputs)");
    expect(text).toContain("Summary: w/debug/run.json\n");
    expect(text).not.toContain("solver output");
  });

  it("points to the solver's output once a solver ran", () => {
    const ran: RunResult = {
      ...base,
      status: "finished",
      exitCode: 0,
      outputs: [...base.outputs, { path: "results.csv", size: 5 }],
      solver: { exitCode: 0, signal: null, durationMs: 900, lastLines: [] },
    };
    const text = renderSummary(ran, "/");
    expect(text).toContain("Outputs (2 files, ");
    expect(text).toContain("Summary: w/debug/run.json; solver output: w/debug/main.txt");
  });
});
