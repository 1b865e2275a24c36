import { spawn, type ChildProcess } from "node:child_process";
import { copyFile, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { connect, JSONCodec, type NatsConnection } from "nats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readQueueStatus, startWorker, submitRuns, workQueueNames, type DoneRecord, type Worker } from "../../src/events/index.js";
import { runSolver } from "../../src/index.js";
import { readDoneRecords } from "../helpers/done-records.js";
import { isAlive, waitFor } from "../helpers/pids.js";
import { natsTestGate, startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { FIXTURE_SOLVERS, REPO_ROOT, useTempWorks } from "../helpers/work-dir.js";

const NATS_CLI = join(REPO_ROOT, "test/helpers/nats-cli.ts");
const gate = natsTestGate();
const { tempDir } = useTempWorks();

interface Tally {
  starts: Map<string, number[]>;
  ends: Map<string, number>;
}

async function readTally(file: string): Promise<Tally> {
  const text = await readFile(file, "utf8").catch(() => "");
  const starts = new Map<string, number[]>();
  const ends = new Map<string, number>();
  for (const line of text.split("\n")) {
    const [kind, id, pid] = line.split(" ");
    if (!id) continue;
    if (kind === "start") starts.set(id, [...(starts.get(id) ?? []), Number(pid)]);
    if (kind === "end") ends.set(id, (ends.get(id) ?? 0) + 1);
  }
  return { starts, ends };
}

/** A case folder as a user has it: config.json (workDir ".") beside scripts/nats-tally.py. */
async function makeCase(root: string, env: Record<string, string>): Promise<string> {
  const dir = join(root, "case");
  await mkdir(join(dir, "scripts"), { recursive: true });
  await copyFile(join(FIXTURE_SOLVERS, "nats-tally.py"), join(dir, "scripts/nats-tally.py"));
  const configPath = join(dir, "config.json");
  await writeFile(configPath, JSON.stringify({ workDir: ".", mainScript: "nats-tally.py", env }, null, 2));
  return configPath;
}

interface CliProcess {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderr(): string;
}

/** One of the NATS commands in its own node process, as src/cli.ts would run it. */
function startCli(command: string, flags: Record<string, unknown>): CliProcess {
  const child = spawn(process.execPath, ["--import", "tsx", NATS_CLI, command, JSON.stringify(flags)], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on("close", (code, signal) => done({ code, signal })));
  return { child, exited, stdout: () => out, stderr: () => err };
}

describe.skipIf(gate.skip)("worker mode on a JetStream work queue (real nats-server -js)", () => {
  let server: NatsServer;
  const connections: NatsConnection[] = [];
  const workers: Worker[] = [];
  const processes: ChildProcess[] = [];

  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop(0)));
    await Promise.all(connections.splice(0).map((nc) => nc.close()));
    for (const p of processes.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function nats(): Promise<NatsConnection> {
    const nc = await connect({ servers: server.url });
    connections.push(nc);
    return nc;
  }

  async function worker(stream: string, workRoot: string, name: string, ackWaitMs = 30_000): Promise<Worker> {
    const w = await startWorker({ nc: await nats(), stream, workRoot, name, ackWaitMs, run: runSolver, runOptions: { pollIntervalMs: 50 } });
    workers.push(w);
    return w;
  }

  const doneRecords = async (stream: string): Promise<DoneRecord[]> => readDoneRecords(await nats(), stream);

  async function status(stream: string) {
    return readQueueStatus(await nats(), workQueueNames(stream), server.url, 300);
  }

  it("two workers share 20 runs; each run is done exactly once", async () => {
    const root = await tempDir("pw-share-");
    const tallyFile = join(root, "tally.txt");
    const configPath = await makeCase(root, { TALLY_FILE: tallyFile });
    const workRoot = join(root, "runs");
    const a = await worker("SHARE", workRoot, "A");
    const b = await worker("SHARE", workRoot, "B");
    const { ids } = await submitRuns({ nc: await nats(), stream: "SHARE", configs: [configPath], repeat: 20 });
    expect(new Set(ids).size).toBe(20);

    await waitFor(async () => ((await status("SHARE")).done >= 20 ? true : undefined), 60_000, "20 done runs");
    const [sa, sb] = await Promise.all([a.stop(0), b.stop(0)]);
    expect(sa.finished + sb.finished).toBe(20);
    expect(sa.finished).toBeGreaterThan(0);
    expect(sb.finished).toBeGreaterThan(0);

    // Counted three ways: by the solver itself, in the work directories, and on the server.
    const tally = await readTally(tallyFile);
    expect([...tally.starts.keys()].sort()).toEqual([...ids].sort());
    for (const id of ids) {
      expect(tally.starts.get(id), id).toHaveLength(1);
      expect(tally.ends.get(id), id).toBe(1);
    }
    expect((await readdir(workRoot)).sort()).toEqual([...ids].sort());
    for (const id of ids) {
      const run = JSON.parse(await readFile(join(workRoot, id, "debug/run.json"), "utf8")) as { status: string; results: unknown[] };
      expect(run.status).toBe("finished");
      expect(run.results).toEqual([{ name: "run", type: "ascii", value: id }, { name: "steps", type: "scalar", value: 4 }]);
    }
    const records = await doneRecords("SHARE");
    expect(records.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(records.every((r) => r.status === "finished" && r.delivery === 1)).toBe(true);
    expect(await status("SHARE")).toEqual({ stream: "SHARE", pending: 0, running: 0, done: 20, finished: 20, error: 0, workers: [] });
  });

  it("keeps a run longer than the ack wait alive with working(): it is not delivered again", async () => {
    const root = await tempDir("pw-alive-");
    const tallyFile = join(root, "tally.txt");
    const configPath = await makeCase(root, { TALLY_FILE: tallyFile, SLEEP_SECONDS: "3.5" });
    const a = await worker("ALIVE", join(root, "runs"), "A", 1000);
    const b = await worker("ALIVE", join(root, "runs"), "B", 1000);
    const [id] = (await submitRuns({ nc: await nats(), stream: "ALIVE", configs: [configPath] })).ids as [string];
    await waitFor(async () => ((await status("ALIVE")).done >= 1 ? true : undefined), 30_000, "the run to be done");
    await Promise.all([a.stop(0), b.stop(0)]);
    const tally = await readTally(tallyFile);
    expect(tally.starts.get(id)).toHaveLength(1);
    const [record] = await doneRecords("ALIVE");
    expect(record).toMatchObject({ id, status: "finished", delivery: 1 });
    expect(record?.durationMs).toBeGreaterThan(3000);
  });

  it("terminates an invalid request, records a wrong config as done with an error, retries a run it cannot set up, then gives up", async () => {
    const root = await tempDir("pw-refuse-");
    const logs: string[] = [];
    const w = await startWorker({
      nc: await nats(),
      stream: "REFUSE",
      workRoot: root,
      ackWaitMs: 1000,
      maxAttempts: 2,
      retryDelayMs: 100,
      run: runSolver,
      log: (l) => logs.push(l),
    });
    workers.push(w);
    const js = (await nats()).jetstream();
    const codec = JSONCodec();
    await js.publish("REFUSE.runs", codec.encode({ id: "../escape", config: {} }));
    await js.publish("REFUSE.runs", codec.encode({ id: "bad-config", config: { mainScript: "main.py", timeout: "soon" } }));
    // A path no node can read: each delivery fails to set up and is nak'ed, until maxAttempts.
    await js.publish("REFUSE.runs", codec.encode({ id: "unmounted", configPath: join(root, "not-mounted/config.json") }));
    await waitFor(async () => ((await status("REFUSE")).done >= 3 ? true : undefined), 10_000, "three records");
    // Past the 1 s ack wait: none came back.
    await new Promise((r) => setTimeout(r, 1500));
    const summary = await w.stop(0);
    expect(summary).toEqual({ finished: 0, error: 1, returned: 0, retried: 2, refused: 2, busy: 0 });
    const records = await doneRecords("REFUSE");
    expect(records.find((r) => r.id === "../escape")?.error).toMatch(/^invalid run request: "id" must be letters/);
    expect(records.find((r) => r.id === "bad-config")?.error).toMatch(/"timeout" must be a duration/);
    expect(records.find((r) => r.id === "unmounted")).toMatchObject({ delivery: 3, error: "given up after 2 deliveries that did not complete (the workers died, or could not set it up)" });
    expect(await status("REFUSE")).toMatchObject({ pending: 0, running: 0, done: 3, error: 3 });
    // Only the run that got as far as runSolver has a work directory.
    expect(await readdir(root)).toEqual(["bad-config"]);
    const log = logs.join("\n");
    expect(log).toMatch(/refused: "id" must be letters.*terminated/);
    expect(log).toMatch(/run unmounted: cannot prepare its work directory \(.*config file not found.*\); back to the queue in 100 ms/);
  });

  it("a run whose worker is killed with SIGKILL is delivered again and finished by the other worker", async () => {
    const root = await tempDir("pw-kill-");
    const tallyFile = join(root, "tally.txt");
    const configPath = await makeCase(root, { TALLY_FILE: tallyFile, SLEEP_SECONDS: "20", SLEEP_FIRST_ONLY: "1" });
    const workRoot = join(root, "runs");
    const a = startCli("worker", { nats: server.url, stream: "KILL", workRoot, ackWait: "2s", name: "A" });
    processes.push(a.child);
    await waitFor(() => (/taking runs from KILL/.test(a.stderr()) ? true : undefined), 20_000, `worker A to start:\n${a.stderr()}`);
    const [id] = (await submitRuns({ nc: await nats(), stream: "KILL", configs: [configPath] })).ids as [string];
    const [solverPid] = await waitFor(async () => (await readTally(tallyFile)).starts.get(id), 20_000, "the run to start on A");
    expect(await status("KILL")).toMatchObject({ pending: 0, running: 1, workers: [{ name: "A", concurrency: 1, running: [id], stopping: false }] });

    // The node dies: the worker and, with it, its solver (which would otherwise live on as an orphan).
    a.child.kill("SIGKILL");
    process.kill(-(solverPid as number), "SIGKILL");
    expect((await a.exited).signal).toBe("SIGKILL");
    await waitFor(() => !isAlive(solverPid as number) || undefined, 5000, "the solver to be gone");
    // Nobody runs it now: it is pending again, although the server still waits out its ack wait.
    expect(await status("KILL")).toMatchObject({ pending: 1, running: 0, workers: [] });

    await worker("KILL", workRoot, "B", 2000);
    await waitFor(async () => ((await status("KILL")).done >= 1 ? true : undefined), 30_000, "the run to be done");
    const [record] = await doneRecords("KILL");
    expect(record).toMatchObject({ id, status: "finished", worker: "B", delivery: 2 });
    const tally = await readTally(tallyFile);
    expect(tally.starts.get(id)).toHaveLength(2);
    expect(tally.ends.get(id)).toBe(1);
    // The killed attempt is kept beside the finished one.
    expect((await readdir(workRoot)).sort()).toEqual([id, `${id}.attempt-1`]);
    expect(JSON.parse(await readFile(join(workRoot, id, "debug/run.json"), "utf8")).status).toBe("finished");
    expect(await status("KILL")).toMatchObject({ pending: 0, running: 0, done: 1, finished: 1 });
  });

  it("SIGTERM: the worker takes no new run, lets the current one finish, and exits 0", async () => {
    const root = await tempDir("pw-term-");
    const tallyFile = join(root, "tally.txt");
    const configPath = await makeCase(root, { TALLY_FILE: tallyFile, SLEEP_SECONDS: "2" });
    const workRoot = join(root, "runs");
    const submit = startCli("submit", { nats: server.url, stream: "TERM", configs: [configPath], repeat: "2" });
    expect((await submit.exited).code, submit.stderr()).toBe(0);
    const ids = submit.stdout().trim().split("\n");
    expect(ids).toHaveLength(2);

    const w = startCli("worker", { nats: server.url, stream: "TERM", workRoot, grace: "30s", name: "T" });
    processes.push(w.child);
    const first = await waitFor(async () => [...(await readTally(tallyFile)).starts.keys()][0], 20_000, `a run to start:\n${w.stderr()}`);
    w.child.kill("SIGTERM");
    const exit = await w.exited;
    expect(exit.code, w.stderr()).toBe(0);
    expect(w.stderr()).toContain("SIGTERM: no new runs; 1 running");
    const tally = await readTally(tallyFile);
    expect(tally.ends.get(first)).toBe(1);
    expect(tally.starts.size).toBe(1);

    const queue = startCli("queue", { nats: server.url, stream: "TERM", json: true });
    expect((await queue.exited).code, queue.stderr()).toBe(0);
    expect(JSON.parse(queue.stdout())).toEqual({ stream: "TERM", pending: 1, running: 0, done: 1, finished: 1, error: 0, workers: [] });
  });

  it("SIGTERM past the grace time: the run is aborted and returned to the queue for another worker (exit 143)", async () => {
    const root = await tempDir("pw-grace-");
    const tallyFile = join(root, "tally.txt");
    const configPath = await makeCase(root, { TALLY_FILE: tallyFile, SLEEP_SECONDS: "60", SLEEP_FIRST_ONLY: "1" });
    const workRoot = join(root, "runs");
    const w = startCli("worker", { nats: server.url, stream: "GRACE", workRoot, grace: "1s", name: "G" });
    processes.push(w.child);
    const [id] = (await submitRuns({ nc: await nats(), stream: "GRACE", configs: [configPath] })).ids as [string];
    const [solverPid] = await waitFor(async () => (await readTally(tallyFile)).starts.get(id), 20_000, `the run to start:\n${w.stderr()}`);
    const stopped = Date.now();
    w.child.kill("SIGTERM");
    const exit = await w.exited;
    expect(exit.code, w.stderr()).toBe(143);
    // 1 s of grace, then the solver's own SIGTERM: far from the 60 s it wanted.
    expect(Date.now() - stopped).toBeLessThan(15_000);
    expect(isAlive(solverPid as number)).toBe(false);
    expect(w.stderr()).toContain(`returned to the queue`);
    expect(await status("GRACE")).toMatchObject({ pending: 1, running: 0, done: 0 });

    await worker("GRACE", workRoot, "H");
    await waitFor(async () => ((await status("GRACE")).done >= 1 ? true : undefined), 30_000, "the run to be done");
    const [record] = await doneRecords("GRACE");
    expect(record).toMatchObject({ id, status: "finished", worker: "H", delivery: 2 });
  });
});
