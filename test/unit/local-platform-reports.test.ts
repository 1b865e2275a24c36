import { describe, expect, it } from "vitest";
import { renderJobReport } from "../../src/local-platform/reports/job-report-page.js";
import { reportRequestOf } from "../../src/local-platform/reports/report-request.js";
import { numericParameters, numericResults, sweepCharts } from "../../src/local-platform/reports/sweep-charts.js";
import { renderSweepReport, type SweepReportPoint } from "../../src/local-platform/reports/sweep-report-page.js";
import type { Job } from "../../src/local-platform/platform-types.js";

const EVIL = `<script>alert("x")</script>&'`;

function point(jobId: string, parameters: SweepReportPoint["parameters"], results: SweepReportPoint["results"]): SweepReportPoint {
  return { jobId, status: "finished", parameters, results };
}

describe("sweep charts", () => {
  it("draws each numeric result against each parameter that takes more than one number", () => {
    const points = [
      point("a", { alpha: 1, n: 10, mode: "x", fixed: 3 }, { T: 5, ok: true, label: "s" }),
      point("b", { alpha: 2, n: 10, mode: "x", fixed: 3 }, { T: 7, ok: false, label: "t" }),
      point("c", { alpha: 1, n: 20, mode: "x", fixed: 3 }, { T: 6 }),
      point("d", { alpha: 2, n: 20, mode: "x", fixed: 3 }, { T: 9 }),
    ];
    expect(numericParameters(points)).toEqual(["alpha", "n"]);
    expect(numericResults(points)).toEqual(["T"]);
    const { charts } = sweepCharts(points);
    expect(charts.map((c) => `${c.result}/${c.parameter}`)).toEqual(["T/alpha", "T/n"]);
    // One line per value of the other parameter that varies, points in x order.
    expect(charts[0]?.data.series).toEqual([
      { name: "n=10", line: [{ x: 1, y: 5 }, { x: 2, y: 7 }] },
      { name: "n=20", line: [{ x: 1, y: 6 }, { x: 2, y: 9 }] },
    ]);
    expect(charts[0]?.data.xLabel).toBe("alpha");
    expect(charts[0]?.data.yLabel).toBe("T");
  });

  it("draws points alone when the other parameters make too many lines, and a single line when none vary", () => {
    const many = Array.from({ length: 26 }, (_, i) => point(`p${i}`, { x: i % 2, k: i }, { r: i }));
    const byX = sweepCharts(many).charts.find((c) => c.parameter === "x");
    expect(byX?.data.series).toHaveLength(1);
    expect(byX?.data.series[0]?.line.filter((p) => p === null)).toHaveLength(26);
    expect(byX?.data.notes[0]).toContain("points only");
    const two = [point("a", { alpha: 2 }, { T: 1 }), point("b", { alpha: 1 }, { T: 3 })];
    expect(sweepCharts(two).charts[0]?.data.series).toEqual([{ name: "T", line: [{ x: 1, y: 3 }, { x: 2, y: 1 }] }]);
  });

  it("escapes every name and value a user or solver wrote", () => {
    const html = renderSweepReport({
      sweepId: EVIL,
      solver: EVIL,
      points: [point(EVIL, { [EVIL]: 1, s: EVIL }, { [EVIL]: 2, v: EVIL }), point("b", { [EVIL]: 2, s: "x" }, { [EVIL]: 3 })],
      generatedAt: new Date(0),
    });
    expect(html).not.toContain("<script>");
    expect(html).not.toContain(`"x")`);
    expect(html).toContain("&lt;script&gt;");
    expect(html).toContain("<svg");
  });
});

describe("job report page", () => {
  it("shows the job, its parameters, results and log, escaped", () => {
    const job: Job = {
      id: "j1", owner: "u1", solver: EVIL, sweepId: null, parameters: { alpha: 0.5, name: EVIL }, config: {}, status: "error",
      progress: 40, statusLabel: EVIL, runId: "r1", error: EVIL, exitCode: 1,
      createdAt: "2026-01-01T00:00:00.000Z", startedAt: "2026-01-01T00:00:01.000Z", endedAt: "2026-01-01T00:00:03.500Z",
    };
    const html = renderJobReport({
      job, results: [{ name: EVIL, type: "scalar", value: 3 }], files: [{ path: `logs/${EVIL}`, size: 2048 }],
      charts: [], chartNotes: [], log: { lines: [EVIL, "\x1b[31mred\x1b[0m"], more: true }, generatedAt: new Date(0),
    });
    expect(html).not.toContain("<script>");
    expect(html).toContain("2.5 s");
    expect(html).toContain("the last 2 lines");
    expect(html).toContain("\nred</pre>");
    expect(html).toContain('class="status error"');
  });
});

describe("POST api/v1/reports body", () => {
  it("takes exactly one of jobId and sweepId", () => {
    expect(reportRequestOf({ jobId: "j" })).toEqual({ jobId: "j" });
    expect(reportRequestOf({ sweepId: "s" })).toEqual({ sweepId: "s" });
    expect(() => reportRequestOf({ jobId: "j", sweepId: "s" })).toThrow(/exactly one of "jobId" or "sweepId" \(got both\)/);
    expect(() => reportRequestOf({})).toThrow(/got neither/);
    expect(() => reportRequestOf({ jobId: 5 })).toThrow(/"jobId" must be the job's id/);
    expect(() => reportRequestOf({ sweepId: "" })).toThrow(/"sweepId" must be the sweep's id/);
    expect(() => reportRequestOf({ jobId: "j", extra: 1 })).toThrow(/unknown field "extra"/);
    expect(() => reportRequestOf([])).toThrow(/JSON object/);
    try {
      reportRequestOf(null);
    } catch (error) {
      expect((error as { status: number }).status).toBe(400);
    }
  });
});
