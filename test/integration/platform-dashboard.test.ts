import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import { api, startTestPlatform, type TestPlatform } from "../helpers/platform.js";
import { CHROMIUM, CHROMIUM_ARGS, chromiumGate, requireChromium } from "../helpers/chromium.js";
import { useTempWorks } from "../helpers/work-dir.js";

const { tempDir } = useTempWorks();

const { skip } = chromiumGate("platform-dashboard.test.ts (browser part)", "The dashboard");
const HOSTILE = `<img src=x onerror="window.__pwned = 1">`;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let platform: TestPlatform | undefined;
afterEach(async () => {
  await platform?.cleanup();
  platform = undefined;
});

/** What went wrong in the page: its uncaught errors and console errors, but for the answers it expects (a 400, a 404 before there is a log). */
function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) problems.push(`console: ${message.text()}`);
  });
  return problems;
}

describe("the dashboard's files", () => {
  it("serves the page, its own files with their types, the socket.io client, and nothing else", async () => {
    platform = await startTestPlatform();
    const page = await api(platform, "GET", "");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await page.text();
    for (const src of ["assets/dashboard/app.js", "assets/dashboard/style.css", "assets/socket.io.min.js"]) expect(html).toContain(src);

    const types = { "app.js": "text/javascript", "job-panel.js": "text/javascript", "line-chart.js": "text/javascript", "style.css": "text/css", "index.html": "text/html" };
    for (const [name, type] of Object.entries(types)) {
      const res = await api(platform, "GET", `assets/dashboard/${name}`);
      expect(res.status, name).toBe(200);
      expect(res.headers.get("content-type")).toBe(`${type}; charset=utf-8`);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(500);
    }
    const client = await api(platform, "GET", "assets/socket.io.min.js");
    expect(client.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await client.text()).toMatch(/^\/\*!\n \* Socket\.IO v4/);

    for (const name of ["nope.js", "app.js.map", ".env", "..%2F..%2Fpackage.json"]) {
      expect((await api(platform, "GET", `assets/dashboard/${name}`)).status, name).toBeGreaterThanOrEqual(400);
    }
    expect((await api(platform, "GET", "assets/dashboard/..%2Fdashboard%2Fapp.js")).status).toBeGreaterThanOrEqual(400);
  });
});

describe("the dashboard in a browser", () => {
  it.skipIf(skip)(
    "registers, submits a heat1d job, follows it live to 100 % and finished, shows its log, results, charts and files, saves result.zip and a file, opens its report; logs out and in",
    async () => {
      requireChromium();
      platform = await startTestPlatform();
      const dir = await tempDir("pw-dashboard-");
      // A fresh profile of our own: nothing from an earlier run (a kept token) reaches the page.
      const context: BrowserContext = await chromium.launchPersistentContext(path.join(dir, "profile"), {
        executablePath: CHROMIUM,
        args: CHROMIUM_ARGS,
        viewport: { width: 1360, height: 900 },
        acceptDownloads: true,
      });
      try {
        const page = context.pages()[0] ?? (await context.newPage());
        const problems = pageProblems(page);
        const foreign: string[] = [];
        page.on("request", (r) => {
          if (!r.url().startsWith(platform!.url) && !r.url().startsWith("blob:")) foreign.push(r.url());
        });
        await page.goto(platform.url);

        await page.fill("#auth-name", "ada");
        await page.fill("#auth-password", "short"); // refused by the server, shown to the user
        await page.click("#register");
        await expect.poll(() => page.textContent("#auth-error")).toMatch(/password/i);
        await page.fill("#auth-password", "correct horse battery");
        await page.click("#register");
        await page.waitForSelector("#app:not([hidden])");
        expect(await page.textContent("#user-name")).toBe("ada (admin)");
        // Live before the job is submitted: every change of its row below comes through socket.io.
        await page.waitForSelector('#live[data-live="on"]');

        await page.selectOption("#solver", "heat1d");
        await page.fill("#parameters", '{"slow": ');
        await page.click("#submit");
        expect(await page.textContent("#submit-message")).toMatch(/JSON object/);
        // heat1d ignores a parameter it does not know; the page shows it as text.
        await page.fill("#parameters", JSON.stringify({ slow: 0.05, T_left: 90, note: HOSTILE }));
        await page.click("#submit");

        const row = page.locator("tr[data-job-id]");
        await expect.poll(() => row.count()).toBe(1);
        const jobId = await row.getAttribute("data-job-id");
        expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
        const progress = row.locator(".progress[data-progress]");
        await page.waitForSelector(`tr[data-job-id="${jobId}"][data-status="finished"] .progress[data-progress="100"]`, { timeout: 120_000 });
        expect(await progress.getAttribute("aria-valuenow")).toBe("100");
        expect(await row.locator(".status").textContent()).toBe("finished");

        // The job's panel opened on submit and follows the job: status, log tail, results, files.
        await page.waitForSelector('#job-status[data-status="finished"]');
        expect(await page.getAttribute("#job-progress", "data-progress")).toBe("100");
        expect(await page.textContent("#job-parameters")).toBe(JSON.stringify({ slow: 0.05, T_left: 90, note: HOSTILE }));
        // Polled from here, not with waitForFunction: the page's CSP refuses the eval that would need.
        await expect.poll(async () => Number(await page.getAttribute("#log-tail", "data-lines")), { timeout: 30_000 }).toBeGreaterThan(0);
        const log = (await page.textContent("#log-tail")) ?? "";
        const lines = log.split("\n").filter(Boolean);
        expect(lines.length).toBeGreaterThan(0);
        expect(lines.length).toBeLessThanOrEqual(20);
        expect(log).toMatch(/heat1d:/);
        expect(await page.evaluate("typeof window.__pwned")).toBe("undefined");
        expect(await page.locator("img").count()).toBe(0);
        await expect.poll(() => page.locator("#job-results tbody tr").count(), { timeout: 30_000 }).toBeGreaterThan(0);
        await expect.poll(() => page.locator("#job-files li").count(), { timeout: 30_000 }).toBeGreaterThan(0);
        expect(await page.locator("#job-files li").allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining("logs/main.log")]));

        // Its charts: one line chart per stored plots/*.csv, drawn in the page from the CSV's bytes.
        const chart = page.locator('#job-charts svg[role="img"][aria-label*="plots/"]');
        // The charts are drawn one by one as their CSVs arrive: wait for the one checked below.
        const temperature = page.locator('#job-charts svg[aria-label^="plots/temperature.csv"]');
        await expect.poll(() => temperature.count(), { timeout: 30_000 }).toBeGreaterThan(0);
        const labels = await chart.evaluateAll((svgs) => svgs.map((svg) => svg.getAttribute("aria-label") ?? ""));
        expect(labels).toEqual(expect.arrayContaining([expect.stringMatching(/^plots\/temperature\.csv: T against x$/)]));
        for (const label of labels) expect(label).toMatch(/^plots\/[^/]+\.csv: /);
        expect(await temperature.locator("title").textContent()).toBe("plots/temperature.csv: T against x");
        const points = (await temperature.locator("polyline").first().getAttribute("points")) ?? "";
        expect(points.trim().split(/\s+/).length).toBeGreaterThan(10);
        expect(points).toMatch(/^[\d.]+,[\d.]+( [\d.]+,[\d.]+)+$/);
        expect(await temperature.locator("text.axis-label").allTextContents()).toEqual(["x", "T"]);

        // result.zip (a solver type without a solverConfig.json gets all of outputs/) needs the token,
        // so the page fetches it and saves a blob.
        const token = (await page.evaluate('localStorage.getItem("physicsworks.token")')) as string;
        const result = await api(platform, "GET", `api/v1/jobs/${jobId}/result`, { token });
        expect(result.status).toBe(200);
        const [download] = await Promise.all([page.waitForEvent("download"), page.click("#job-result")]);
        expect(download.suggestedFilename()).toBe(`heat1d-${jobId}.zip`);
        const zipPath = path.join(dir, "result.zip");
        await download.saveAs(zipPath);
        expect(await readFile(zipPath)).toEqual(Buffer.from(await result.arrayBuffer()));
        expect(await page.textContent("#job-message")).toMatch(/^result\.zip: \d/);

        // A file's name downloads it through the outputs route, with the token, saved from a blob.
        const csv = await api(platform, "GET", `api/v1/jobs/${jobId}/outputs?path=plots%2Ftemperature.csv`, { token });
        expect(csv.status).toBe(200);
        const [saved] = await Promise.all([page.waitForEvent("download"), page.click('#job-files a:text-is("plots/temperature.csv")')]);
        expect(saved.suggestedFilename()).toBe("temperature.csv");
        const csvPath = path.join(dir, "temperature.csv");
        await saved.saveAs(csvPath);
        expect(await readFile(csvPath)).toEqual(Buffer.from(await csv.arrayBuffer()));
        expect(await page.textContent("#job-message")).toMatch(/^plots\/temperature\.csv: \d/);

        // The report opens in a new tab at its pre-signed link (no token in it, none needed).
        const [report] = await Promise.all([context.waitForEvent("page"), page.click("#job-report")]);
        await report.waitForURL(/api\/v1\/reports\/[^/]+\/download\?expires=\d+&signature=[0-9a-f]+$/);
        await report.waitForLoadState();
        expect(await report.textContent("h1")).toMatch(/finished/); // the run's own report
        expect(await report.textContent("body")).toContain("heat1d");
        await report.close();
        expect(await page.textContent("#job-message")).toBe("");

        const shot = path.join(dir, "dashboard.png");
        await page.screenshot({ path: shot, fullPage: true });
        const png = await readFile(shot);
        expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
        expect((await stat(shot)).size).toBeGreaterThan(10_000);

        // A reload keeps the session (the token in localStorage) and the job page (its #job=id).
        await page.reload();
        await page.waitForSelector(`#job:not([hidden]) #job-status[data-status="finished"]`);

        // Log out: the token is forgotten. Another user sees none of ada's jobs; ada logs back in to hers.
        await page.click("#logout");
        await page.waitForSelector("#auth:not([hidden])");
        expect(await page.evaluate('localStorage.getItem("physicsworks.token")')).toBeNull();
        await page.fill("#auth-name", "bob");
        await page.fill("#auth-password", "another fine password");
        await page.click("#register");
        await page.waitForSelector("#jobs-empty:not([hidden])");
        expect(await page.textContent("#user-name")).toBe("bob");
        expect(await page.locator("tr[data-job-id]").count()).toBe(0);
        await page.click("#logout");
        await page.fill("#auth-name", "ada");
        await page.fill("#auth-password", "wrong password");
        await page.click("#login");
        await expect.poll(() => page.textContent("#auth-error")).toBe("invalid name or password");
        await page.fill("#auth-password", "correct horse battery");
        await page.click("#login");
        await page.waitForSelector(`tr[data-job-id="${jobId}"][data-status="finished"]`);

        expect(problems).toEqual([]);
        expect(foreign).toEqual([]);
      } finally {
        await context.close();
      }
    },
    150_000,
  );
});
