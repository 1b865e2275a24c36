import { describe, expect, it } from "vitest";
import { niceAxis } from "../../assets/dashboard/chart-geometry.js";
import type { ChartData } from "../../src/report/csv-series.js";
import { renderLineChart } from "../../src/report/svg-chart.js";

function polylines(svg: string): string[][] {
  return [...svg.matchAll(/<polyline points="([^"]*)"/g)].map((m) => (m[1] ?? "").split(" "));
}

const chart = (series: ChartData["series"], labels: Partial<ChartData> = {}): ChartData => ({ xLabel: "t", yLabel: "", series, notes: [], ...labels });

describe("renderLineChart()", () => {
  it("draws every point of a line inside the plot area", () => {
    const line = Array.from({ length: 50 }, (_, i) => ({ x: i, y: Math.sin(i / 5) }));
    const svg = renderLineChart(chart([{ name: "T", line }]), "plots/t.csv");
    const [points] = polylines(svg);
    expect(points).toHaveLength(50);
    for (const p of points ?? []) {
      const [x, y] = p.split(",").map(Number) as [number, number];
      expect(x).toBeGreaterThanOrEqual(72);
      expect(x).toBeLessThanOrEqual(760 - 36);
      expect(y).toBeGreaterThanOrEqual(12);
      expect(y).toBeLessThanOrEqual(12 + 320);
    }
    // Increasing x runs left to right.
    const xs = (points ?? []).map((p) => Number(p.split(",")[0]));
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
  });

  it("breaks a line at a gap and marks a lone point", () => {
    const svg = renderLineChart(chart([{ name: "T", line: [{ x: 0, y: 0 }, { x: 1, y: 1 }, null, { x: 3, y: 1 }, null, { x: 5, y: 2 }, { x: 6, y: 3 }] }]), "c");
    expect(polylines(svg).map((p) => p.length)).toEqual([2, 2]);
    expect(svg.match(/<circle /g)).toHaveLength(1);
  });

  it("escapes labels, series names and the title", () => {
    const svg = renderLineChart(
      chart([{ name: `<img src=x onerror="alert(1)">`, line: [{ x: 0, y: 1 }, { x: 1, y: 2 }] }], { xLabel: "t & <b>", yLabel: "T 'K'" }),
      `plots/<script>.csv`,
    );
    expect(svg).not.toContain("<img");
    expect(svg).not.toContain("<script");
    expect(svg).not.toContain("<b>");
    expect(svg).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    expect(svg).toContain(">t &amp; &lt;b&gt;</text>");
    expect(svg).toContain("T &#39;K&#39;");
    expect(svg).toContain("<title>plots/&lt;script&gt;.csv</title>");
  });

  it("gives a legend entry per line, in its colour", () => {
    const line = [{ x: 0, y: 0 }, { x: 1, y: 1 }];
    const svg = renderLineChart(chart([{ name: "a", line }, { name: "b", line }, { name: "c", line }]), "c");
    expect(svg.match(/class="legend-entry"/g)).toHaveLength(3);
    expect(svg).toContain(`<text x="102" y="`);
    expect(svg.match(/stroke="#0072b2"/g)).toHaveLength(2); // the line's group and its legend swatch
  });

  it("draws a flat or single-point line without dividing by zero", () => {
    const svg = renderLineChart(chart([{ name: "flat", line: [{ x: 5, y: 3 }] }]), "c");
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(svg).toContain("<circle ");
  });
});

describe("niceAxis()", () => {
  it("puts round ticks around the data", () => {
    const axis = niceAxis(0.13, 9.7, 6);
    expect(axis.ticks).toEqual([0, 2, 4, 6, 8, 10]);
    expect(axis.min).toBe(0);
    expect(axis.max).toBe(10);
    expect(axis.ticks.map(axis.format)).toEqual(["0", "2", "4", "6", "8", "10"]);
  });

  it("labels small steps with their decimals and large magnitudes in exponent form", () => {
    const small = niceAxis(0.1, 0.3, 5);
    expect(small.ticks.map(small.format)).toEqual(["0.10", "0.15", "0.20", "0.25", "0.30"]);
    const large = niceAxis(0, 3e7, 4);
    expect(large.ticks.map(large.format)).toEqual(["0", "1e+7", "2e+7", "3e+7"]);
  });
});
