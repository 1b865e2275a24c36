import { appendFile, cp, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { runSolver } from "../../src/index.js";
import { writeRunReport } from "../../src/report/index.js";
import { CHROMIUM, CHROMIUM_ARGS, chromiumGate, requireChromium } from "../helpers/chromium.js";
import { REPO_ROOT, useTempWorks } from "../helpers/work-dir.js";

const { tempDir } = useTempWorks();

const { skip } = chromiumGate("report-chromium.test.ts", "The report");

const HOSTILE_LOG = `<script>window.__pwned = 1</script> & \x1b[31mred\x1b[0m`;
const HOSTILE_COLUMN = `<img src=x onerror="window.__pwned = 2">`;

function dataRows(csv: string): number {
  return csv.trim().split("\n").length - 1;
}

describe("the run report in a browser", () => {
  it.skipIf(skip)("draws every plot of a heat1d run, escapes what the run wrote, and needs no network", async () => {
    requireChromium();
    const dir = await tempDir("pw-report-");
    await cp(join(REPO_ROOT, "examples/heat1d"), dir, { recursive: true });
    const result = await runSolver({ configPath: join(dir, "config.json") });
    expect(result.status).toBe("finished");
    const outputs = join(dir, "outputs");
    // A long series with a hostile name (thinned, escaped) and a hostile log line (escaped, colours gone).
    const long = Array.from({ length: 20_000 }, (_, i) => `${i},${Math.sin(i / 500)},${i % 1000 === 0 ? "" : Math.cos(i / 700)}`);
    await writeFile(join(outputs, "plots/long.csv"), `step,${JSON.stringify(HOSTILE_COLUMN).replace(/\\"/g, '""')},b\n${long.join("\n")}\n`);
    await appendFile(join(outputs, "logs/main.log"), `${HOSTILE_LOG}\n`);

    const reportPath = join(outputs, "report.html");
    const report = await writeRunReport({ result, outputsDir: outputs, mainLogPath: join(outputs, "logs/main.log"), reportPath });
    expect(report).toEqual({ path: reportPath, charts: 3 });

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const requests: string[] = [];
      page.on("request", (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(reportPath).href);

      // Run in the page as a string: this project type-checks without the DOM library.
      const figures = (await page.evaluate(`[...document.querySelectorAll("figure")].map((f) => ({
        title: (f.querySelector("figcaption").firstChild.textContent || "").trim(),
        lines: [...f.querySelectorAll("g.series")].map((g) => ({
          name: g.getAttribute("data-series"),
          points: [...g.querySelectorAll("polyline")].reduce((n, p) => n + p.points.numberOfItems, 0),
          width: g.getBoundingClientRect().width,
        })),
      }))`)) as { title: string; lines: { name: string; points: number; width: number }[] }[];
      expect(figures.map((f) => f.title)).toEqual(["plots/long.csv", "plots/midpoint.csv", "plots/temperature.csv"]);
      const [longChart, midpoint, temperature] = figures;
      // Every row of the solver's own plots is a point on its line.
      expect(temperature?.lines).toEqual([{ name: "T", points: dataRows(await readFile(join(outputs, "plots/temperature.csv"), "utf8")), width: expect.any(Number) }]);
      expect(midpoint?.lines[0]?.points).toBe(dataRows(await readFile(join(outputs, "plots/midpoint.csv"), "utf8")));
      expect(temperature?.lines[0]?.width).toBeGreaterThan(300);
      // 20,000 rows thinned to at most 2,000 points a line; the hostile name is text, not markup.
      expect(longChart?.lines.map((l) => l.name)).toEqual([HOSTILE_COLUMN, "b"]);
      for (const line of longChart?.lines ?? []) {
        expect(line.points).toBeGreaterThan(400);
        expect(line.points).toBeLessThanOrEqual(2000);
      }
      expect(await page.$$eval("figure:first-of-type polyline", (l) => l.length)).toBeGreaterThan(2); // the gaps in "b" break it

      expect(await page.evaluate("typeof window.__pwned")).toBe("undefined");
      expect(await page.evaluate("document.scripts.length + document.querySelectorAll('img').length")).toBe(0);
      const log = await page.textContent("pre.log");
      expect(log).toContain("<script>window.__pwned = 1</script> & red");
      expect(log).toContain("heat1d:");
      expect(await page.textContent("table")).toContain("Work directory");
      expect(await page.$$eval("section h2", (h) => h.map((e) => e.textContent))).toEqual(
        expect.arrayContaining(["Stages", "Results", "Plots", expect.stringMatching(/^Log/)]),
      );
      // Nothing but the page itself was fetched.
      expect(requests).toEqual([pathToFileURL(reportPath).href]);

      const shot = join(dir, "report.png");
      await page.screenshot({ path: shot, fullPage: true });
      const png = await readFile(shot);
      expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
      expect(png.readUInt32BE(16)).toBe(1200); // IHDR width
      expect(png.readUInt32BE(20)).toBeGreaterThan(900); // the full page, taller than the viewport
      expect((await stat(shot)).size).toBeGreaterThan(20_000);
    } finally {
      await browser.close();
    }
  });
});
