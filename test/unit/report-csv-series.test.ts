import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseNumber, readCsvSeries } from "../../src/report/csv-series.js";
import { useTempWorks } from "../helpers/work-dir.js";

const { tempDir } = useTempWorks();

async function csv(text: string): Promise<string> {
  const path = join(await tempDir("pw-csv-"), "plot.csv");
  await writeFile(path, text);
  return path;
}

describe("readCsvSeries()", () => {
  it("takes the first column as x and every numeric column as a line", async () => {
    const data = await readCsvSeries(await csv('t,"T, mid",label,p\n0,20,a,1\n1,25,b,\n2,27,c,3\n'));
    expect(data?.xLabel).toBe("t");
    expect(data?.series.map((s) => s.name)).toEqual(["T, mid", "p"]);
    expect(data?.series[0]?.line).toEqual([{ x: 0, y: 20 }, { x: 1, y: 25 }, { x: 2, y: 27 }]);
    expect(data?.series[1]?.line).toEqual([{ x: 0, y: 1 }, null, { x: 2, y: 3 }]);
    expect(data?.yLabel).toBe("");
  });

  it("reads a file without a header, CRLF endings, a BOM and Fortran exponents", async () => {
    const data = await readCsvSeries(await csv("\ufeff0,1.0D+01\r\n1,2.5d1\r\n2,nan\r\n3,4e1\r\n"));
    expect(data?.xLabel).toBe("x");
    expect(data?.yLabel).toBe("column 2");
    expect(data?.series[0]?.line).toEqual([{ x: 0, y: 10 }, { x: 1, y: 25 }, null, { x: 3, y: 40 }]);
  });

  it("uses the row number as x when x is not a number", async () => {
    const data = await readCsvSeries(await csv("time,v\n2024-01-01 10:00,1\n2024-01-01 11:00,2\n"));
    expect(data?.xLabel).toBe("row");
    expect(data?.series[0]?.line).toEqual([{ x: 1, y: 1 }, { x: 2, y: 2 }]);
  });

  it("has nothing to draw for an empty or all-text file", async () => {
    expect(await readCsvSeries(await csv(""))).toBeUndefined();
    expect(await readCsvSeries(await csv("a,b\nx,y\n"))).toBeUndefined();
  });

  it("reads only maxBytes of a large file, and says so", async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => `${i},${i * 2}`).join("\n");
    const data = await readCsvSeries(await csv(`i,v\n${rows}\n`), { maxBytes: 1000 });
    const line = data?.series[0]?.line ?? [];
    expect(line.length).toBeGreaterThan(50);
    expect(line.length).toBeLessThan(200);
    // The row cut by the byte limit is dropped, not drawn as half a number.
    for (const p of line) if (p) expect(p.y).toBe(p.x * 2);
    expect(data?.notes.join(" ")).toMatch(/the first 1000\.0B of .* are drawn/);
  });

  it("caps the lines of one chart", async () => {
    const header = ["x", ...Array.from({ length: 20 }, (_, i) => `c${i}`)].join(",");
    const row = Array.from({ length: 21 }, (_, i) => i).join(",");
    const data = await readCsvSeries(await csv(`${header}\n${row}\n${row}\n`), { maxSeries: 5 });
    expect(data?.series).toHaveLength(5);
    expect(data?.notes).toContain("the first 5 of 20 numeric columns are drawn");
  });
});

describe("parseNumber()", () => {
  it("takes decimal numbers as solvers write them and nothing else", () => {
    expect([" 1.5 ", "-2", ".5", "1e-3", "1.0D+03"].map(parseNumber)).toEqual([1.5, -2, 0.5, 0.001, 1000]);
    expect(["", "abc", "0x10", "Infinity", "1,5"].map(parseNumber).every(Number.isNaN)).toBe(true);
  });
});
