/**
 * The runner (the real CLI, its own process) killed with SIGKILL while it uploads, then started
 * again on the same work directory: it resumes from its journal (debug/uploads.json), sending only
 * what the platform lacks, and the run ends finished with everything on the server.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { RunResult } from "../../src/run-result.js";
import { writeConfig } from "../helpers/platform-run.js";
import { waitFor } from "../helpers/pids.js";
import { runCli } from "../helpers/run-cli.js";
import { seedRunData, startTestServer, type TestServer, plainRunData } from "../helpers/server.js";
import { useTempWorks } from "../helpers/work-dir.js";
import { checkIntact, fmt, recognisableToken, requestLog, summary, tokenLeaks, walk } from "./lib.js";

const { work } = useTempWorks();
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.cleanup()));
});

const RUN_DATA = plainRunData();
const FILES = 600;
const BIG_MB = 32;

interface Journal {
  runId?: string;
  files: Record<string, { done: boolean }>;
}

describe("the runner killed and started again", () => {
  it("a runner SIGKILLed mid-upload resumes from its journal and sends only what is missing", async () => {
    const token = recognisableToken();
    const s = await startTestServer({ token, latencyMs: 5 });
    servers.push(s);
    await seedRunData(s.dataDir, "p1", "sim1", RUN_DATA);
    const w = await work("rel-mixed.py");
    await writeConfig(w.configPath, { workDir: ".", mainScript: "rel-mixed.py", host: s.url, token, project: "p1", simulation: "sim1", job: "j1", owner: "o1" });
    const journalPath = join(w.dir, "debug/uploads.json");
    const readJournal = async () => JSON.parse(await readFile(journalPath, "utf8").catch(() => '{"files":{}}')) as Journal;
    const doneIn = (j: Journal) => Object.values(j.files).filter((f) => f.done).length;

    let pid = 0;
    const first = runCli([`--configPath=${w.configPath}`], { env: { REL_FILES: String(FILES), REL_BIG_MB: String(BIG_MB) }, onStart: (p) => (pid = p), timeoutMs: 120_000 });
    // Killed once a fifth of the small files are on the platform and journalled.
    await waitFor(async () => doneIn(await readJournal()) >= FILES / 5 || undefined, 90_000, "a fifth of the files to be journalled");
    process.kill(pid, "SIGKILL");
    const killed = await first;
    expect(killed.signal).toBe("SIGKILL");
    const atKill = await readJournal();
    const doneAtKill = doneIn(atKill);
    // The solver is in its own process group and outlives the runner: let it finish its files.
    await waitFor(async () => ((await walk(join(w.dir, "outputs/files/many"))).length === FILES ? true : undefined), 60_000, "the orphaned solver to finish");
    await new Promise((r) => setTimeout(r, 500));

    const restartAt = new Date().toISOString();
    const second = await runCli([`--configPath=${w.configPath}`, "--startingStage=post-process", "--json"], { timeoutMs: 120_000 });
    expect(second.code, second.stderr).toBe(0);
    const result = JSON.parse(second.stdout) as RunResult;
    expect(result.runId).toBe(atKill.runId);
    const intact = await checkIntact(s.url, token, s.dataDir, result.runId, w.dir);
    const afterRestart = (await requestLog(s.dataDir)).filter((l) => l.at >= restartAt);
    const opened = afterRestart.filter((l) => l.method === "POST" && l.path === "/storage/uploads").length;
    const missing = intact.expected - doneAtKill;
    summary(
      "runner-sigkill",
      `runner SIGKILLed with ${fmt(doneAtKill)} files journalled done, restart opened ${fmt(opened)} uploads for ${fmt(missing)} missing`,
      intact,
    );
    expect(intact.problems).toEqual([]);
    expect(intact.intact).toBe(intact.expected);
    expect(intact.status).toBe("finished");
    // What the journal held as done is not sent again (a few files in flight at the kill may be).
    expect(opened).toBeLessThanOrEqual(missing + 8);
    expect(
      await tokenLeaks(token, { "first stdout": killed.stdout, "first stderr": killed.stderr, stdout: second.stdout, stderr: second.stderr }, [join(s.dataDir, "requests.jsonl")], [join(w.dir, "debug")]),
    ).toEqual([]);
  }, 240_000);
});
