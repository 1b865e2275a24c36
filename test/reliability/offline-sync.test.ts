/**
 * The platform unreachable for the whole run (nothing listens on its port): the runner falls back
 * to an offline run; then the server starts on that port and `sync` sends everything.
 */
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runSolver, syncRun } from "../../src/index.js";
import { writeConfig } from "../helpers/platform-run.js";
import { seedRunData, startTestServer, type TestServer, plainRunData } from "../helpers/server.js";
import { useTempWorks } from "../helpers/work-dir.js";
import { checkIntact, fmt, freePort, recognisableToken, requestLog, summary, tokenLeaks } from "./lib.js";

const { work } = useTempWorks();
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.cleanup()));
});

const RUN_DATA = plainRunData();

describe("the platform unreachable, then sync", () => {
  it("an offline-fallback run sent later with sync: everything on the server, status finished", async () => {
    const token = recognisableToken();
    const port = await freePort();
    const w = await work("rel-mixed.py");
    await writeConfig(w.configPath, { workDir: ".", mainScript: "rel-mixed.py", host: `http://127.0.0.1:${port}/`, token, project: "p1", simulation: "sim1", job: "j1", owner: "o1" });
    const run = await runSolver({
      configPath: w.configPath,
      offlineFallback: true,
      env: { ...process.env, REL_FILES: "500", REL_BIG_MB: "24" },
      tuning: { settleMs: 200, retry: { tries: 2, baseDelayMs: 10, maxDelayMs: 20 } },
    });
    expect(run.status, run.error?.message).toBe("finished");

    const s = await startTestServer({ token, port });
    servers.push(s);
    await seedRunData(s.dataDir, "p1", "sim1", RUN_DATA);
    const synced = await syncRun({ configPath: w.configPath, tuning: { retry: { tries: 4, baseDelayMs: 10 } } });
    expect(synced.failed).toEqual([]);
    expect(synced.outcome).toBe("sent");
    const intact = await checkIntact(s.url, token, s.dataDir, synced.runId, w.dir);
    const again = await syncRun({ configPath: w.configPath });
    summary("offline-sync", `platform down for the whole run (port ${port}), sync sent ${fmt(synced.files)} files in ${fmt((await requestLog(s.dataDir)).length)} requests`, intact, `second sync ${again.outcome}`);
    expect(intact.problems).toEqual([]);
    expect(intact.intact).toBe(intact.expected);
    expect(intact.expected).toBeGreaterThanOrEqual(502);
    expect(intact.status).toBe("finished");
    expect(again.outcome).toBe("already");
    expect(await tokenLeaks(token, {}, [join(s.dataDir, "requests.jsonl")], [join(w.dir, "debug")])).toEqual([]);
  }, 120_000);
});
