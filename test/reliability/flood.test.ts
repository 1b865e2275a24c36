/**
 * A solver that writes 1 GiB (.ci/run sets REL_STDOUT_MB=1024; 256 MiB by default for a developer's run) to stdout and 100,000 lines to state.txt: the runner (the real CLI,
 * its own process) keeps its peak memory bounded (VmHWM from /proc/<pid>/status) and the log
 * arrives whole on the server.
 */
import { readFileSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { RunResult } from "../../src/run-result.js";
import { writeConfig } from "../helpers/platform-run.js";
import { runCli } from "../helpers/run-cli.js";
import { seedRunData, startTestServer, type TestServer, plainRunData } from "../helpers/server.js";
import { useTempWorks } from "../helpers/work-dir.js";
import { checkIntact, fileSha, fmt, recognisableToken, runAnswer, summary, tokenLeaks } from "./lib.js";

const { work } = useTempWorks();
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.cleanup()));
});

const RUN_DATA = plainRunData();
const STDOUT_MB = Number(process.env.REL_STDOUT_MB ?? 256);
const STATE_LINES = 100_000;
/** The runner's peak resident memory must stay below this, whatever the solver prints. */
const MAX_HWM_MB = 300;

function vmHwmKb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
  } catch {
    return undefined;
  }
}

describe("a flooding solver", () => {
  it(`${fmt(STDOUT_MB)} MiB on stdout and ${fmt(STATE_LINES)} state lines: memory bounded, the log whole`, async () => {
    const token = recognisableToken();
    const s = await startTestServer({ token });
    servers.push(s);
    await seedRunData(s.dataDir, "p1", "sim1", RUN_DATA);
    const w = await work("rel-flood.py");
    await writeConfig(w.configPath, { workDir: ".", mainScript: "rel-flood.py", host: s.url, token, project: "p1", simulation: "sim1", job: "j1", owner: "o1" });

    let pid = 0;
    let peakKb = 0;
    const sampler = setInterval(() => {
      const kb = pid ? vmHwmKb(pid) : undefined;
      if (kb) peakKb = Math.max(peakKb, kb);
    }, 100);
    const run = await runCli([`--configPath=${w.configPath}`, "--json"], {
      env: { REL_STDOUT_MB: String(STDOUT_MB), REL_STATE_LINES: String(STATE_LINES) },
      onStart: (p) => (pid = p),
      timeoutMs: 400_000,
    }).finally(() => clearInterval(sampler));
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    const result = JSON.parse(run.stdout) as RunResult;

    // The log: every line the solver printed, in order, locally and on the server.
    const lines = Math.floor((STDOUT_MB * 1024 * 1024) / 100);
    const localLog = join(w.dir, "outputs/logs/main.log");
    expect((await stat(localLog)).size).toBeGreaterThanOrEqual(lines * 100);
    const tail = (await readFile(localLog)).subarray(-4096).toString("latin1");
    expect(tail).toContain(`line ${String(lines - 1).padStart(9, "0")} `);
    const stored = (await runAnswer(s.url, token, result.runId)).files.find((f) => f.path === "logs/main.log");
    expect(stored?.sha256).toBe(await fileSha(localLog));
    const intact = await checkIntact(s.url, token, s.dataDir, result.runId, w.dir);
    summary(
      "flood",
      `${fmt(STDOUT_MB)} MiB stdout (${fmt(lines)} lines), ${fmt(STATE_LINES)} state lines, runner peak RSS ${fmt(Math.round(peakKb / 1024))} MB`,
      intact,
      `main.log ${fmt(stored?.size ?? 0)} B on the server`,
    );
    expect(intact.problems).toEqual([]);
    expect(intact.status).toBe("finished");
    expect(result.progress).toBe(100);
    expect(peakKb).toBeGreaterThan(0);
    expect(peakKb / 1024).toBeLessThan(MAX_HWM_MB);
    expect(await tokenLeaks(token, { stdout: run.stdout, stderr: run.stderr }, [join(s.dataDir, "requests.jsonl")], [join(w.dir, "debug")])).toEqual([]);
  }, 480_000);
});
