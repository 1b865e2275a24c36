/**
 * 30 % injected faults (503, 429 with Retry-After, dropped connections) and latency on every
 * request, for a run with 2,000 small files and a 200 MiB file: the run ends finished with every
 * output byte-identical on the server and nothing stored partially.
 */
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runSolver } from "../../src/index.js";
import { writeConfig } from "../helpers/platform-run.js";
import { seedRunData, startTestServer, type TestServer, plainRunData } from "../helpers/server.js";
import { useTempWorks } from "../helpers/work-dir.js";
import { checkIntact, faultCount, fmt, recognisableToken, requestLog, summary, tokenLeaks } from "./lib.js";

const { work } = useTempWorks();
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.cleanup()));
});

const RUN_DATA = plainRunData();
const FILES = 2000;
const BIG_MB = 200;

describe("faults on the wire", () => {
  it(`30 % faults and latency: ${fmt(FILES)} files and a ${BIG_MB} MiB file arrive whole, status finished`, async () => {
    const token = recognisableToken();
    // Retry-After 0: the 429s still carry the header, but a second each would make the run wait
    // minutes for ~700 of them; the runner's honouring of Retry-After has its own unit test.
    const s = await startTestServer({ token, faultRate: 0.3, retryAfterSeconds: 0, latencyMs: 20 });
    servers.push(s);
    await seedRunData(s.dataDir, "p1", "sim1", RUN_DATA);
    const w = await work("rel-mixed.py");
    await writeConfig(w.configPath, { workDir: ".", mainScript: "rel-mixed.py", host: s.url, token, project: "p1", simulation: "sim1", job: "j1", owner: "o1" });

    const started = Date.now();
    const result = await runSolver({
      configPath: w.configPath,
      env: { ...process.env, REL_FILES: String(FILES), REL_BIG_MB: String(BIG_MB) },
      // At 30 % a call fails 10 times in a row once in ~170,000: 12 tries make a lost file unlikely.
      tuning: { settleMs: 300, retry: { tries: 12, baseDelayMs: 20, maxDelayMs: 300 } },
    });
    expect(result.status, result.error?.message).toBe("finished");

    const intact = await checkIntact(s.url, token, s.dataDir, result.runId, w.dir);
    const faults = await faultCount(s.dataDir);
    const kinds = (await requestLog(s.dataDir)).reduce<Record<string, number>>((k, l) => (l.fault ? { ...k, [l.fault]: (k[l.fault] ?? 0) + 1 } : k), {});
    summary(
      "faults",
      `faults ${fmt(faults)} injected (${Object.entries(kinds).map(([k, n]) => `${k} ${fmt(n)}`).join(", ")}), latency up to 20 ms`,
      intact,
      `${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(intact.problems).toEqual([]);
    expect(intact.expected).toBeGreaterThanOrEqual(FILES + 2);
    expect(intact.intact).toBe(intact.expected);
    expect(intact.status).toBe("finished");
    expect(faults).toBeGreaterThan(100);
    expect(await tokenLeaks(token, {}, [join(s.dataDir, "requests.jsonl")], [join(w.dir, "debug")])).toEqual([]);
  }, 400_000);
});
