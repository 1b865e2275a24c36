/**
 * protocol.md part 1: "After an abort, a signal or a solver failure, what is pending is still sent,
 * within a flush time". The whole send phase (results, archives, result.zip, the final pass) is
 * bounded, what is under way when the time runs out is stopped, the run ends `error` naming what
 * was not sent, and `sync` sends the rest to the same run. A real runner against a real server on
 * 127.0.0.1 that plays a slow link (uploadBytesPerSecond), so that sending takes longer than the
 * flush time.
 */
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AbortError, resolveRunOptions, runSolver, syncRun, type RunEvent } from "../../src/index.js";
import type { RunNode, TreeNode } from "../../src/platform/types.js";
import { openPlatformSession } from "../../src/stages/platform-session.js";
import { createRunContext } from "../../src/stages/run-context.js";
import type { JournalData } from "../../src/upload/upload-journal.js";
import { createWorkFolders, workPaths } from "../../src/work-paths.js";
import { requestCount, runRecord as fetchRunRecord } from "../helpers/server-records.js";
import { platformFields, readJson, sha256, writeConfig, writePlatformRun } from "../helpers/platform-run.js";
import { runCli } from "../helpers/run-cli.js";
import { callServer, plainRunData, seedRunData, startTestServer, type TestServer } from "../helpers/server.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

/** The flush time of these runs, and the bound on how long the send phase may take past it. */
const FLUSH_MS = 1000;
const MARGIN_MS = 2500;
/** The server's slow link: a 128 KiB output takes about 5 s, far past the flush time. */
const BYTES_PER_SECOND = 24 * 1024;

/**
 * Writes results.csv, `FILES` outputs of `FILE_KIB` random KiB under files/, and (with `VTP_KIB`)
 * a random .vtp for the vtp archive; prints READY (and makes `READY_FILE`), then exits 1 (or `EXIT`) or,
 * with `SLEEP`, waits to be stopped.
 */
const SOLVER = `
import argparse, os, sys, time
p = argparse.ArgumentParser()
p.add_argument("--outputsPath")
out = p.parse_known_args()[0].outputsPath
os.makedirs(os.path.join(out, "files"), exist_ok=True)
for i in range(int(os.environ["FILES"])):
    with open(os.path.join(out, "files", "f%d.dat" % i), "wb") as f:
        f.write(os.urandom(int(os.environ["FILE_KIB"]) * 1024))
if os.environ.get("VTP_KIB"):
    with open(os.path.join(out, "field.vtp"), "wb") as f:
        f.write(os.urandom(int(os.environ["VTP_KIB"]) * 1024))
with open(os.path.join(out, "results.csv"), "w") as f:
    f.write("name,type,value\\nT,scalar,1.5\\n")
print("READY", flush=True)
if os.environ.get("READY_FILE"):
    open(os.environ["READY_FILE"], "w").close()
if os.environ.get("SLEEP"):
    time.sleep(60)
sys.exit(int(os.environ.get("EXIT", "1")))
`;

interface RunRecord {
  node: RunNode;
  results: unknown[];
  files: { path?: string | null; sha256: string }[];
}

async function prepare() {
  const s = await startTestServer({ uploadBytesPerSecond: BYTES_PER_SECOND });
  cleanups.push(() => s.cleanup());
  await seedRunData(s.dataDir, "p1", "sim1", plainRunData({ downloadable: { basic: { outputs: { "results.csv": true } } } }));
  const dir = await mkdtemp(join(tmpdir(), "pw-flush-time-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const configPath = await writePlatformRun(dir, s, SOLVER);
  return { s, dir, configPath };
}

const runRecord = (s: TestServer, runId: string) => fetchRunRecord<RunRecord>(s, runId);


const childrenOf = (node: RunNode, slug: string) => (node.children.find((c) => c.slug === slug)?.children ?? []) as TreeNode[];

/** Runs the solver with the flush time; returns the result and how long post-processing took. */
async function runTimed(
  configPath: string,
  env: Record<string, string>,
  signal?: AbortSignal,
  onReady?: () => void,
  onPostProcess?: () => void,
) {
  const events: { at: number; event: RunEvent }[] = [];
  const result = await runSolver({
    configPath,
    env: { ...process.env, ...env },
    // Whole outputs wait for post-processing (protocol.md's table): they are all in the send phase.
    tuning: { flushMs: FLUSH_MS, retry: { tries: 2, baseDelayMs: 10, maxDelayMs: 20 } },
    ...(signal ? { signal } : {}),
    onEvent: (event) => {
      events.push({ at: performance.now(), event });
      if (event.type === "log" && event.line === "READY") onReady?.();
      if (event.type === "stage" && event.stage.name === "post-process" && event.stage.status === "running") onPostProcess?.();
    },
  });
  // Post-processing packs (fast here: small files) and then sends: its length bounds the send phase's.
  const stage = (ended: boolean) =>
    events.find(({ event }) => event.type === "stage" && event.stage.name === "post-process" && (event.stage.durationMs !== undefined) === ended);
  const postStart = stage(false);
  const postEnd = stage(true);
  expect(postStart).toBeDefined();
  expect(postEnd).toBeDefined();
  return { result, postMs: (postEnd?.at ?? 0) - (postStart?.at ?? 0) };
}

async function journalOf(dir: string): Promise<JournalData> {
  return readJson<JournalData>(join(dir, "debug", "uploads.json"));
}

describe("post-processing: the flush time bounds the whole send phase after a failure or an abort", () => {
  it("a failed solver and a slow platform: the run ends within the flush time naming what was not sent; sync sends the rest", async () => {
    const { s, dir, configPath } = await prepare();
    const { result, postMs } = await runTimed(configPath, { FILES: "4", FILE_KIB: "128" });

    expect(result.status).toBe("error");
    // Sending all would take about 5 s; it was stopped at the flush time.
    expect(postMs).toBeLessThan(FLUSH_MS + MARGIN_MS);
    // The solver's failure still decides the exit code and the platform's label.
    expect(result.exitCode).toBe(1);
    const message = result.error?.message ?? "";
    expect(message.split("\n")[0]).toMatch(/^the solver exited with code 1/);
    expect(message).toMatch(/the flush time of 1s after the solver failed \(exit code 1\) ran out before everything reached the platform; not sent:/);
    for (let i = 0; i < 4; i++) expect(message).toContain(`  outputs/files/f${i}.dat\n`);
    expect(message).toContain(`\`physicsworks-solve sync --configPath=${configPath}\` sends the rest later`);
    expect(message).not.toContain(s.token);
    // The uploads the stop aborted are told by the flush time's error, not as aborts nobody asked for.
    expect(result.warnings.join("\n")).not.toMatch(/Aborted by user/);

    const record = await runRecord(s, result.runId);
    expect(record.node.status).toBe("error");
    expect(record.node.statusLabel).toMatch(/^the solver exited with code 1/);
    const stored = (path: string) => record.files.find((f) => f.path === path);
    for (let i = 0; i < 4; i++) expect(stored(`files/f${i}.dat`), `files/f${i}.dat not on the server yet`).toBeUndefined();
    // The journal, written as the sends stood, records them as not done.
    const journal = await journalOf(dir);
    for (let i = 0; i < 4; i++) expect(journal.files[`files/f${i}.dat`]?.done ?? false).toBe(false);

    // The command the message gives sends the rest, to the same run node.
    const sync = await runCli(["sync", `--configPath=${configPath}`, "--json"]);
    expect(sync.code, sync.stderr).toBe(0);
    expect(JSON.parse(sync.stdout)).toMatchObject({ outcome: "sent", runId: result.runId });
    const after = await runRecord(s, result.runId);
    for (const path of ["files/f0.dat", "files/f1.dat", "files/f2.dat", "files/f3.dat", "results.csv"]) {
      const file = after.files.find((f) => f.path === path);
      expect(file, `outputs/${path} on the server after sync`).toBeDefined();
      expect(file?.sha256, `outputs/${path} byte-identical`).toBe(sha256(await readFile(join(dir, "outputs", path))));
    }
    // What the run had sent is not sent again: one result.zip, one results patch.
    expect(childrenOf(after.node, "downloadables").filter((c) => c.slug === "result.zip")).toHaveLength(1);
    expect(await requestCount(s, "PUT", "simulation/run/patch/")).toBe(1);
    expect(after.node.status).toBe("error");
    expect((await journalOf(dir)).files["files/f0.dat"]?.done).toBe(true);

    const again = await runCli(["sync", `--configPath=${configPath}`, "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ outcome: "already", runId: result.runId });
  }, 60_000);

  it("after SIGTERM, a slow archive: the archive, result.zip and the outputs wait for sync, each sent once", async () => {
    const { s, dir, configPath } = await prepare();
    const controller = new AbortController();
    const { result, postMs } = await runTimed(configPath, { FILES: "1", FILE_KIB: "8", VTP_KIB: "96", SLEEP: "1" }, controller.signal, () =>
      controller.abort(new AbortError("SIGTERM", "Aborted: the runner received SIGTERM")),
    );

    expect(result.status).toBe("error");
    // The archive alone would take about 4 s.
    expect(postMs).toBeLessThan(FLUSH_MS + MARGIN_MS);
    expect(result.exitCode).toBe(143);
    const message = result.error?.message ?? "";
    expect(message.split("\n")[0]).toBe("Aborted: the runner received SIGTERM");
    expect(message).toMatch(/the flush time of 1s after SIGTERM ran out/);
    expect(message).toContain("  the vtp visualization archive\n");
    expect(message).toContain("  result.zip\n");
    expect(message).toContain("  outputs/files/f0.dat\n");
    // The results patch is small and goes first: it went through (the file itself waits for the final pass).
    expect(message).not.toContain("the results of outputs/results.csv");
    expect(message).toContain("  outputs/results.csv\n");

    const record = await runRecord(s, result.runId);
    expect(record.node.statusLabel).toBe("Aborted: the runner received SIGTERM");
    expect(childrenOf(record.node, "graphics")).toHaveLength(0);
    expect(record.results).toHaveLength(1);

    const sync = await runCli(["sync", `--configPath=${configPath}`, "--json"]);
    expect(sync.code, sync.stderr).toBe(0);
    const after = await runRecord(s, result.runId);
    expect(childrenOf(after.node, "graphics").map((c) => c.slug)).toEqual(["vtp"]);
    expect(childrenOf(after.node, "downloadables").filter((c) => c.slug === "result.zip")).toHaveLength(1);
    expect(await requestCount(s, "PUT", "simulation/run/patch/")).toBe(1);
    const file = after.files.find((f) => f.path === "files/f0.dat");
    expect(file?.sha256).toBe(sha256(await readFile(join(dir, "outputs", "files/f0.dat"))));
    // The .vtp went in the archive, not on its own.
    expect(after.files.find((f) => f.path === "field.vtp")).toBeUndefined();
    expect(after.node.statusLabel).toBe("Aborted: the runner received SIGTERM");
  }, 60_000);

  it("the CLI with --flushTime, SIGTERM to the runner: exit 143 within the flush time, the message names what was not sent", async () => {
    const { configPath, dir } = await prepare();
    const readyFile = join(dir, "ready");
    let runnerPid = 0;
    const running = runCli([`--configPath=${configPath}`, "--flushTime=1s", "--grace=2s", "--json"], {
      env: { FILES: "1", FILE_KIB: "8", VTP_KIB: "360", SLEEP: "1", READY_FILE: readyFile },
      onStart: (pid) => (runnerPid = pid),
    });
    while (!(await readFile(readyFile).then(() => true, () => false))) await new Promise((resolve) => setTimeout(resolve, 50));
    const signalledAt = performance.now();
    process.kill(runnerPid, "SIGTERM");
    const run = await running;
    // The solver stops at once; sending the archive alone would take about 15 s. The bound leaves
    // room for a loaded machine: stopping the solver, packing, the final status, the exit.
    expect(performance.now() - signalledAt).toBeLessThan(FLUSH_MS + 7000);
    expect(run.code, run.stderr).toBe(143);
    const message = (JSON.parse(run.stdout) as { error: { message: string } }).error.message;
    expect(message.split("\n")[0]).toBe("Aborted: the runner received SIGTERM");
    expect(message).toMatch(/the flush time of 1s after SIGTERM ran out/);
    expect(message).toContain("  the vtp visualization archive\n");
    expect(message).toContain(`\`physicsworks-solve sync --configPath=${configPath}\` sends the rest later`);
    expect(JSON.parse(await readFile(join(dir, "debug", "left-unsent.json"), "utf8"))).toMatchObject({ archives: ["vtp"], resultZip: true });
  }, 30_000);

  it("a run that went normally is bounded from a signal that comes while it sends", async () => {
    const { s, configPath } = await prepare();
    const controller = new AbortController();
    const { result, postMs } = await runTimed(configPath, { FILES: "4", FILE_KIB: "128", EXIT: "0" }, controller.signal, undefined, () =>
      setTimeout(() => controller.abort(new AbortError("SIGTERM", "Aborted: the runner received SIGTERM")), 300),
    );

    expect(result.status).toBe("error");
    // Sending all would take about 5 s; the signal came 0.3 s in.
    expect(postMs).toBeLessThan(300 + FLUSH_MS + MARGIN_MS);
    // Nothing failed before: the flush time is the run's error, with the signal's exit code.
    expect(result.exitCode).toBe(143);
    const message = result.error?.message ?? "";
    expect(message).toMatch(/^the flush time of 1s after SIGTERM ran out before everything reached the platform; not sent:\n/);
    for (let i = 0; i < 4; i++) expect(message).toContain(`  outputs/files/f${i}.dat\n`);
    expect((await runRecord(s, result.runId)).node.status).toBe("error");
    // The solver's work was done (exit 0) and only the sends were cut: once sync has sent the
    // rest, the run is finished, not an error whose label says files are missing.
    const synced = await syncRun({ configPath });
    expect(synced.runId).toBe(result.runId);
    const after = await runRecord(s, result.runId);
    expect(after.node).toMatchObject({ status: "finished", progress: 100, statusLabel: "finished" });
  }, 60_000);

  it("stopping the sends aborts the uploads under way and starts no other: the final pass ends at once, the journal says not done", async () => {
    const { s, dir, configPath } = await prepare();
    const { options } = await resolveRunOptions({ configPath, tuning: { uploadConcurrency: 2, retry: { tries: 2, baseDelayMs: 10, maxDelayMs: 20 } } });
    const paths = workPaths(dir);
    await createWorkFolders(paths);
    for (let i = 0; i < 6; i++) await writeFile(join(paths.outputs, "files", `f${i}.dat`), randomBytes(128 * 1024));
    const ctx = createRunContext(options, "local", paths, { signal: new AbortController().signal, abort: () => undefined }, undefined);
    const session = await openPlatformSession(ctx, options.platform!);
    cleanups.push(() => session.close());

    const pass = session.uploader.finalPass();
    // Both workers are sending (each upload takes about 5 s on this link) when the sends are stopped.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stoppedAt = performance.now();
    session.stopSends();
    const { failed } = await pass;
    expect(performance.now() - stoppedAt, "the uploads under way were cut off").toBeLessThan(2000);
    // Only the two under way failed: the four queued were never started.
    expect(failed).toHaveLength(2);
    await session.journal.flush();
    const journal = await journalOf(dir);
    for (let i = 0; i < 6; i++) expect(journal.files[`files/f${i}.dat`]?.done ?? false, `files/f${i}.dat`).toBe(false);
    expect((await runRecord(s, ctx.runId)).files.filter((f) => f.path?.startsWith("files/"))).toEqual([]);
  }, 30_000);
});
