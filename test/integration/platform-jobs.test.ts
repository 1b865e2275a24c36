/**
 * The local platform's execution, through its real HTTP API: cancelling running and queued jobs,
 * a server killed under its jobs and started again, and jobs run by NATS workers.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { connectNats } from "../../src/events/nats-connection.js";
import { startWorker, type Worker } from "../../src/events/index.js";
import { runSolver } from "../../src/index.js";
import { JOB_STREAM } from "../../src/local-platform/exec/nats-dispatch.js";
import type { Job } from "../../src/local-platform/platform-types.js";
import { natsTestGate, startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { isAlive, readPids, waitFor } from "../helpers/pids.js";
import { api, registerUser, startTestPlatform, testSolversDir, type TestPlatform } from "../helpers/platform.js";
import { CLI } from "../helpers/work-dir.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function platform(options: Parameters<typeof startTestPlatform>[0] = {}): Promise<TestPlatform> {
  const p = await startTestPlatform(options);
  cleanups.push(() => p.cleanup());
  return p;
}

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function submit(p: { url: string }, token: string, body: unknown): Promise<Job> {
  const res = await api(p, "POST", "api/v1/jobs", { token, json: body });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { jobs: Job[] }).jobs[0] as Job;
}

async function getJob(p: { url: string }, token: string, id: string): Promise<Job> {
  const res = await api(p, "GET", `api/v1/jobs/${id}`, { token });
  expect(res.status).toBe(200);
  return (await res.json()) as Job;
}

function waitForJob(p: { url: string }, token: string, id: string, ok: (job: Job) => boolean, what: string, timeoutMs = 60_000): Promise<Job> {
  return waitFor(async () => {
    const job = await getJob(p, token, id).catch(() => undefined);
    return job && ok(job) ? job : undefined;
  }, timeoutMs, what);
}

const ended = (job: Job) => ["finished", "error", "cancelled"].includes(job.status);

describe("local platform: running jobs", () => {
  it("DELETE cancels a running job: its solver's group is gone within grace + 2 s, the job ends cancelled", async () => {
    const p = await platform({ graceMs: 1000 });
    const { token } = await registerUser(p, "ada");
    const pidsFile = join(await tempDir("pw-pids-"), "pids.json");
    const job = await submit(p, token, { solver: "group-sleeper", parameters: { pidsFile } });
    const pids = await readPids(pidsFile, 30_000);
    await waitForJob(p, token, job.id, (j) => j.status === "running" && j.runId !== null, "the job to run");
    const asked = Date.now();
    const res = await api(p, "DELETE", `api/v1/jobs/${job.id}`, { token });
    expect(res.status).toBe(200);
    const answered = (await res.json()) as Job;
    expect(answered.status).toBe("cancelled");
    await waitFor(() => (!isAlive(pids.child as number) && !isAlive(pids.grandchild as number) ? true : undefined), 3000, "the solver's group to end");
    expect(Date.now() - asked).toBeLessThan(1000 + 2000);
    const after = await getJob(p, token, job.id);
    expect(after).toMatchObject({ status: "cancelled", error: null });
    expect(after.endedAt).not.toBeNull();
    // Cancelling again answers the ended job as it is.
    expect(((await (await api(p, "DELETE", `api/v1/jobs/${job.id}`, { token })).json()) as Job).status).toBe("cancelled");
  }, 60_000);

  it("a job's own grace wins over the server's --grace: a solver that ignores SIGTERM is killed 1 s after it, not 5 s", async () => {
    const p = await platform({ graceMs: 5000 });
    const { token } = await registerUser(p, "grace");
    const pidsFile = join(await tempDir("pw-pids-"), "pids.json");
    const job = await submit(p, token, { solver: "group-sleeper", parameters: { pidsFile, ignoreTerm: true }, config: { grace: "1s" } });
    const pids = await readPids(pidsFile, 30_000);
    await waitForJob(p, token, job.id, (j) => j.status === "running" && j.runId !== null, "the job to run");
    const asked = Date.now();
    expect((await api(p, "DELETE", `api/v1/jobs/${job.id}`, { token })).status).toBe(200);
    await waitFor(() => (!isAlive(pids.child as number) ? true : undefined), 4500, "the solver to be killed");
    expect(Date.now() - asked).toBeLessThan(1000 + 2000);
  }, 60_000);

  it("a queued job cancelled before it starts never runs; the pool takes the next", async () => {
    const p = await platform({ concurrency: 1 });
    const { token } = await registerUser(p, "bob");
    const first = await submit(p, token, { solver: "sleeper", parameters: { seconds: 2 } });
    const second = await submit(p, token, { solver: "sleeper", parameters: { seconds: 30 } });
    const third = await submit(p, token, { solver: "sleeper", parameters: { seconds: 0.1 } });
    expect((await getJob(p, token, second.id)).status).toBe("queued");
    const cancelled = (await (await api(p, "DELETE", `api/v1/jobs/${second.id}`, { token })).json()) as Job;
    expect(cancelled).toMatchObject({ status: "cancelled", startedAt: null });
    await waitForJob(p, token, third.id, ended, "the third job to end");
    expect((await getJob(p, token, first.id)).status).toBe("finished");
    expect((await getJob(p, token, third.id)).status).toBe("finished");
    expect((await getJob(p, token, second.id))).toMatchObject({ status: "cancelled", startedAt: null, runId: null });
  }, 60_000);

  it("a server killed under a running job: started again, the job is error \"interrupted\", its solver is stopped, its record and files are intact, and a queued job runs", async () => {
    const dataDir = await tempDir("pw-platform-restart-");
    const solversDir = await testSolversDir();
    cleanups.push(() => rm(solversDir, { recursive: true, force: true }));
    const pidsFile = join(await tempDir("pw-pids-"), "pids.json");

    const first = await serveProcess(dataDir, solversDir);
    const { token } = await registerUser(first, "cy");
    const running = await submit(first, token, { solver: "group-sleeper", parameters: { pidsFile } });
    const queued = await submit(first, token, { solver: "heat1d" });
    const pids = await readPids(pidsFile, 30_000);
    // Some of its log has reached the server before the kill.
    const before = await waitForJob(first, token, running.id, (j) => j.status === "running" && (j as Job & { files?: { path: string; size: number }[] }).files?.some((f) => f.path === "logs/main.log" && f.size > 0) === true, "the job's log on the server");
    first.child.kill("SIGKILL");
    await first.exited;
    // The solver leads its own process group: it outlived the server.
    expect(isAlive(pids.child as number)).toBe(true);

    const second = await serveProcess(dataDir, solversDir);
    const after = await waitForJob(second, token, running.id, ended, "the interrupted job's record");
    expect(after).toMatchObject({ status: "error", error: "interrupted", runId: before.runId, owner: before.owner });
    expect(after.endedAt).not.toBeNull();
    await waitFor(() => (!isAlive(pids.child as number) && !isAlive(pids.grandchild as number) ? true : undefined), 5000, "the leftover solver to be stopped");
    const files = (after as Job & { files: { path: string; size: number }[] }).files;
    expect(files.find((f) => f.path === "logs/main.log")?.size).toBeGreaterThan(0);
    // The queued job runs under the new server (concurrency 1: it waited for the first).
    const done = await waitForJob(second, token, queued.id, ended, "the queued job to finish", 120_000);
    expect(done).toMatchObject({ status: "finished", progress: 100 });
    // The user and its token survived the restart too (same secret, same database).
    expect((await api(second, "GET", "api/v1/auth/me", { token })).status).toBe(200);
  }, 180_000);
});

const gate = natsTestGate();

describe.skipIf(gate.skip)("local platform: jobs through the NATS work queue (real nats-server -js)", () => {
  it("a job goes to a worker, reports to the platform, finishes; a cancelled one is aborted on its worker", async () => {
    const nats: NatsServer = await startNatsServer();
    cleanups.push(() => nats.stop());
    const p = await platform({ natsUrl: nats.url, graceMs: 1000 });
    const nc = await connectNats({ url: nats.url });
    const workRoot = await tempDir("pw-platform-worker-");
    const worker: Worker = await startWorker({ nc, stream: JOB_STREAM, workRoot, name: "W", ackWaitMs: 30_000, run: runSolver, runOptions: { pollIntervalMs: 50 } });
    cleanups.push(async () => {
      await worker.stop(1000);
      await nc.close();
    });
    const { token } = await registerUser(p, "dee");
    const job = await submit(p, token, { solver: "heat1d" });
    const done = await waitForJob(p, token, job.id, ended, "the NATS job to finish", 120_000);
    expect(done).toMatchObject({ status: "finished", progress: 100 });
    expect(done.runId).not.toBeNull();
    expect((done as Job & { files: { path: string }[] }).files.some((f) => f.path === "logs/main.log")).toBe(true);

    const pidsFile = join(await tempDir("pw-pids-"), "pids.json");
    const long = await submit(p, token, { solver: "group-sleeper", parameters: { pidsFile } });
    const pids = await readPids(pidsFile, 30_000);
    await waitForJob(p, token, long.id, (j) => j.runId !== null, "the NATS job's run node");
    await new Promise((r) => setTimeout(r, 500)); // the worker's runner joins its socket.io room
    const res = await api(p, "DELETE", `api/v1/jobs/${long.id}`, { token });
    expect(((await res.json()) as Job).status).toBe("cancelled");
    await waitFor(() => (!isAlive(pids.child as number) && !isAlive(pids.grandchild as number) ? true : undefined), 1000 + 4000, "the worker's solver to be aborted");
    expect((await getJob(p, token, long.id)).status).toBe("cancelled");
  }, 180_000);
});

interface ServeProcess {
  url: string;
  child: ChildProcess;
  exited: Promise<void>;
}

/** `physicsworks-solve serve --solvers` as its own process (concurrency 1), ready when it prints its URL. */
async function serveProcess(dataDir: string, solversDir: string): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0", "--data", dataDir, "--solvers", solversDir, "--concurrency", "1", "--grace", "1s"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((done) => child.once("close", () => done()));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
  });
  let out = "";
  let err = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${err}`)), 30_000);
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const found = /^(http:\/\/\S+\/)$/m.exec(out)?.[1];
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.once("close", (code) => reject(new Error(`serve exited ${code}:\n${err}`)));
  });
  return { url, child, exited };
}
