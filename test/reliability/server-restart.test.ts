/**
 * The server killed (SIGKILL, a real separate process) in the middle of a run and started again
 * 10 s later on the same port and the same DATA: the run goes on and ends finished with every
 * output on the server.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { runSolver } from "../../src/index.js";
import { readJson, writeConfig } from "../helpers/platform-run.js";
import { waitFor } from "../helpers/pids.js";
import { seedRunData, plainRunData } from "../helpers/server.js";
import { useTempWorks } from "../helpers/work-dir.js";
import { checkIntact, fmt, recognisableToken, requestLog, serveProcess, summary, tokenLeaks, type ServerProcess } from "./lib.js";

const { work } = useTempWorks();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const RUN_DATA = plainRunData();
const OUTAGE_MS = 10_000;

describe("the server killed and started again", () => {
  it("a run survives a 10 s outage of its server and ends finished with everything on it", async () => {
    const token = recognisableToken();
    const dataDir = await mkdtemp(join(tmpdir(), "pw-rel-restart-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    await seedRunData(dataDir, "p1", "sim1", RUN_DATA);
    let server: ServerProcess = await serveProcess({ dataDir, token });
    const stop = (p: ServerProcess) => async () => {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
      await p.exited;
    };
    cleanups.push(async () => stop(server)());
    const port = server.port;

    const w = await work("rel-mixed.py");
    await writeConfig(w.configPath, { workDir: ".", mainScript: "rel-mixed.py", host: server.url, token, project: "p1", simulation: "sim1", job: "j1", owner: "o1" });
    // The solver writes for 20 s, so the outage falls in the middle of its output.
    const running = runSolver({
      configPath: w.configPath,
      env: { ...process.env, REL_FILES: "600", REL_BIG_MB: "16", REL_SECONDS: "20" },
      // The default retry (6 tries, 500 ms base, full jitter) may give up within 10 s; 20 tries up
      // to 4 s each span the outage with a wide margin (expected total wait ≈ 60 s).
      tuning: { settleMs: 300, retry: { tries: 20, baseDelayMs: 500, maxDelayMs: 4000 } },
    });
    const runId = await waitFor(async () => (await readJson<{ resource?: { id: string } }>(w.configPath)).resource?.id, 30_000, "the run node");
    await sleep(4000);
    const before = (await requestLog(dataDir)).length;
    server.child.kill("SIGKILL");
    await server.exited;
    const killedAt = Date.now();
    await sleep(OUTAGE_MS);
    server = await serveProcess({ dataDir, token, port });
    const outage = Date.now() - killedAt;

    const result = await running;
    expect(result.status, result.error?.message).toBe("finished");
    expect(result.runId).toBe(runId);
    const intact = await checkIntact(server.url, token, dataDir, runId, w.dir);
    const after = (await requestLog(dataDir)).length - before;
    summary(
      "server-restart",
      `server SIGKILLed after ${fmt(before)} requests, down ${(outage / 1000).toFixed(1)} s, ${fmt(after)} requests after the restart`,
      intact,
    );
    expect(intact.problems).toEqual([]);
    expect(intact.intact).toBe(intact.expected);
    expect(intact.expected).toBeGreaterThanOrEqual(602);
    expect(intact.status).toBe("finished");
    expect(after).toBeGreaterThan(0);
    expect(await tokenLeaks(token, { "server stderr": server.stderr() }, [join(dataDir, "requests.jsonl")], [join(w.dir, "debug")])).toEqual([]);
  }, 180_000);
});
