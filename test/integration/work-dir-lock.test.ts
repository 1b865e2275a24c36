import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runSolver } from "../../src/index.js";
import type { RunResult } from "../../src/run-result.js";
import { loadSweep, runSweepLocal } from "../../src/sweep/index.js";
import { takeWorkDirLock } from "../../src/work-lock/work-dir-lock.js";
import { platformFields } from "../helpers/platform-run.js";
import { waitFor } from "../helpers/pids.js";
import { runCli, type CliRun } from "../helpers/run-cli.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { REPO_ROOT, useTempWorks, type TempWork } from "../helpers/work-dir.js";

// These run the built CLI (bin/ → dist/): `npm run build` first.
const { work, tempDir } = useTempWorks();
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.cleanup()));
});
const VERSION = (JSON.parse(await readFile(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;

const lockOf = (w: TempWork) => join(w.dir, "debug/runner.lock");
const readJson = async <T>(path: string) => JSON.parse(await readFile(path, "utf8")) as T;

/** A run whose solver waits for `<dir>/release` (wait-for-file.py): it runs exactly as long as the test wants. */
async function waitingWork(config: Record<string, unknown> = {}): Promise<TempWork & { release(): Promise<void> }> {
  const w = await work("wait-for-file.py", config);
  const releaseFile = join(w.dir, "release");
  const configText = JSON.parse(await readFile(w.configPath, "utf8")) as Record<string, unknown>;
  await writeFile(w.configPath, JSON.stringify({ ...configText, env: { RELEASE_FILE: releaseFile } }, null, 2));
  return { ...w, release: () => writeFile(releaseFile, "") };
}

/** Starts the CLI and resolves once its solver is running (it printed "waiting"), with the runner's pid. */
async function startWaiting(w: TempWork, args: string[] = []): Promise<{ pid: number; done: Promise<CliRun> }> {
  let pid = 0;
  const done = runCli([`--configPath=${w.configPath}`, ...args], { onStart: (p) => (pid = p) });
  await waitFor(async () => ((await readFile(join(w.dir, "debug/main.txt"), "utf8").catch(() => "")).includes("waiting") ? true : undefined), 30_000, "the solver to start");
  return { pid, done };
}

/** A lock as another runner leaves it; `ageMs` sets its mtime that far back. */
async function writeLock(w: TempWork, fields: Record<string, unknown>, ageMs = 0): Promise<void> {
  const record = { host: hostname(), pid: 1, startedAt: "2020-01-02T03:04:05.000Z", version: "0.0.1", command: "run", lockId: "earlier", ...fields };
  await mkdir(join(w.dir, "debug"), { recursive: true });
  await writeFile(lockOf(w), JSON.stringify(record));
  const when = new Date(Date.now() - ageMs);
  await utimes(lockOf(w), when, when);
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((done) => child.on("exit", done));
  return child.pid as number;
}

describe("one runner per work directory (debug/runner.lock)", () => {
  it("a second runner started while the first runs exits 2 naming the holder, also with --startingStage; the first finishes normally", async () => {
    const w = await waitingWork();
    const first = await startWaiting(w);
    const lock = await readJson<Record<string, unknown>>(lockOf(w));
    expect(lock).toMatchObject({ host: hostname(), pid: first.pid, version: VERSION, command: "run" });

    for (const extra of [[], ["--startingStage=execute"]]) {
      const second = await runCli([`--configPath=${w.configPath}`, ...extra]);
      expect(second.code, second.stderr).toBe(2);
      expect(second.stderr).toContain(
        `physicsworks-solve: the work directory ${w.dir} is in use by a run of physicsworks-solve ${VERSION}, pid ${first.pid} on this host (${hostname()}), since ${lock.startedAt as string} (lock file ${lockOf(w)}); wait for it to end, or, if that runner is gone, remove ${lockOf(w)} and start again`,
      );
    }

    await w.release();
    const result = await first.done;
    expect(result.code, result.stderr).toBe(0);
    const run = await readJson<RunResult>(join(w.dir, "debug/run.json"));
    expect(run.status).toBe("finished");
    // Only the first runner wrote: one run in runner.log, the solver started once.
    const log = await readFile(join(w.dir, "debug/runner.log"), "utf8");
    expect(log.match(/ run [0-9a-f-]{36} in /g)).toHaveLength(1);
    expect((await readFile(join(w.dir, "debug/main.txt"), "utf8")).match(/waiting/g)).toHaveLength(1);
    expect(existsSync(lockOf(w))).toBe(false);
  });

  it("takes over a lock left by a runner whose pid is dead on this host, and finishes", async () => {
    const w = await work("hello.py");
    const pid = await deadPid();
    await writeLock(w, { pid });
    const run = await runCli([`--configPath=${w.configPath}`]);
    expect(run.code, run.stderr).toBe(0);
    expect(await readFile(join(w.dir, "debug/runner.log"), "utf8")).toContain(
      `took over the stale lock ${lockOf(w)} of a run of physicsworks-solve 0.0.1, pid ${pid} on this host (${hostname()}), since 2020-01-02T03:04:05.000Z: its runner (pid ${pid} on this host) is gone`,
    );
    expect((await readJson<RunResult>(join(w.dir, "debug/run.json"))).status).toBe("finished");
    expect(existsSync(lockOf(w))).toBe(false);
  });

  it("in one long-lived process (the NATS worker, serve --solvers), a lock an earlier run left behind does not refuse every later run there", async () => {
    const w = await work("hello.py");
    expect((await runSolver({ configPath: w.configPath })).status).toBe("finished");
    // What a run here whose release could not remove its lock (NFS) leaves: this pid, alive, and an id no run here holds.
    await mkdir(join(w.dir, "debug"), { recursive: true });
    const earlier = await takeWorkDirLock(w.dir, { command: "run" });
    const leftBehind = await readFile(lockOf(w), "utf8");
    await earlier.release();
    await writeFile(lockOf(w), leftBehind);

    const later = await runSolver({ configPath: w.configPath });
    expect(later.status).toBe("finished");
    expect(await readFile(join(w.dir, "debug/runner.log"), "utf8")).toContain(
      `took over the stale lock ${lockOf(w)} of a run of physicsworks-solve ${VERSION}, pid ${process.pid} on this host (${hostname()}), since ${(JSON.parse(leftBehind) as { startedAt: string }).startedAt}: its holder in this process (pid ${process.pid}) has let go of it and left it behind`,
    );
    expect(existsSync(lockOf(w))).toBe(false);
  });

  it("another host's lock: refused while its mtime is fresh, taken over once older than 30 s", async () => {
    const w = await work("hello.py");
    await writeLock(w, { host: "other-node.invalid", pid: 4711 });
    const refused = await runCli([`--configPath=${w.configPath}`]);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(/is in use by a run of physicsworks-solve 0\.0\.1, pid 4711 on other-node\.invalid, lock refreshed \d+ s ago, since 2020-01-02T03:04:05\.000Z/);
    expect(existsSync(join(w.dir, "debug/run.json"))).toBe(false);
    expect(await readJson(lockOf(w))).toMatchObject({ host: "other-node.invalid", pid: 4711 });

    await writeLock(w, { host: "other-node.invalid", pid: 4711 }, 120_000);
    const run = await runCli([`--configPath=${w.configPath}`]);
    expect(run.code, run.stderr).toBe(0);
    expect(await readFile(join(w.dir, "debug/runner.log"), "utf8")).toMatch(/took over the stale lock .*: its runner on other-node\.invalid has not refreshed it for 12\d s/);
    expect(existsSync(lockOf(w))).toBe(false);
  });

  it("the lock is gone after a run that finished, after a solver failure and after SIGTERM", async () => {
    const finished = await work("hello.py");
    expect((await runCli([`--configPath=${finished.configPath}`])).code).toBe(0);
    expect(existsSync(lockOf(finished))).toBe(false);

    const failed = await work("crash.py");
    expect((await runCli([`--configPath=${failed.configPath}`])).code).toBe(1);
    expect(existsSync(lockOf(failed))).toBe(false);

    const stopped = await waitingWork();
    const run = await startWaiting(stopped);
    expect(existsSync(lockOf(stopped))).toBe(true);
    process.kill(run.pid, "SIGTERM");
    const result = await run.done;
    expect(result.code, result.stderr).toBe(143);
    expect(existsSync(lockOf(stopped))).toBe(false);
  });

  it("sync refuses a work directory whose run still goes, without showing the token; once the run is over it sends it", async () => {
    const s = await startTestServer();
    servers.push(s);
    const w = await waitingWork(platformFields(s));
    // An earlier offline run left debug/run.json: without the lock, sync would send that one while the next one runs.
    await w.release();
    expect((await runCli([`--configPath=${w.configPath}`, "--offline"])).code).toBe(0);
    await rm(join(w.dir, "release"));
    await writeFile(join(w.dir, "debug/main.txt"), "");
    const run = await startWaiting(w, ["--offline"]);

    const sync = await runCli(["sync", `--configPath=${w.configPath}`]);
    expect(sync.code, sync.stderr).toBe(2);
    expect(sync.stderr).toContain(`the work directory ${w.dir} is in use by a run of physicsworks-solve ${VERSION}, pid ${run.pid} on this host`);
    expect(sync.stderr).not.toContain(s.token);
    expect(await readFile(lockOf(w), "utf8")).not.toContain(s.token);

    await w.release();
    expect((await run.done).code).toBe(0);
    const later = await runCli(["sync", `--configPath=${w.configPath}`]);
    expect(later.code, later.stderr).toBe(0);
    expect(later.stdout).toMatch(/^run \S+ is on the platform: its \d+ output files/m);
    expect(existsSync(lockOf(w))).toBe(false);
  });

  it("a local sweep leaves a point another runner holds as it was, and runs the others", async () => {
    const root = await tempDir("pw-lock-sweep-");
    await mkdir(join(root, "solver"));
    await writeFile(join(root, "solver/main.py"), "print('point')\n");
    const specPath = join(root, "sweep.yaml");
    await writeFile(specPath, "base: {mainScript: main.py}\nscripts: ./solver\nroot: ./out\nparameters:\n  x: [1, 2]\n");
    const { spec, points } = await loadSweep(specPath);
    const held = join(root, "out/runs", points[0]!.dir);
    await mkdir(join(held, "debug"), { recursive: true });
    const lock = await takeWorkDirLock(held, { command: "run" });
    try {
      const outcome = await runSweepLocal({ spec, points, concurrency: 1, runOptions: { pollIntervalMs: 50 } });
      expect(outcome.states.map((s) => s.status), JSON.stringify(outcome.states[1]?.error)).toEqual(["error", "finished"]);
      expect(outcome.states[0]?.error).toContain(`the work directory ${held} is in use by a run of physicsworks-solve ${VERSION}, pid ${process.pid} on this host`);
      // Not laid out again: no config.json, scripts or inputs written into the held folder.
      expect((await readdir(held)).sort()).toEqual(["debug"]);
    } finally {
      await lock.release();
    }
  });
});
