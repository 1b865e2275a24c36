/**
 * Work-queue throughput: N trivial runs (a bash solver that writes one state.txt line) through 1,
 * 2 and 4 worker processes on a local `nats-server -js`, against the same runs done directly with
 * runSolver() one after the other in this process. Prints wall time, runs per second and the
 * overhead per run the queue adds (submit, pull, work-directory setup, done record, ack).
 * Run: npx tsx scripts/bench/queue.ts [runs=200]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cpus } from "node:os";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connect, type NatsConnection } from "nats";
import { submitRuns, workQueueNames } from "../../src/events/index.js";
import { prepareRunDir } from "../../src/events/worker/run-work-dir.js";
import { runSolver } from "../../src/index.js";
import { startNatsServer } from "../../test/helpers/nats-server.js";

const runs = Number(process.argv[2] ?? 200);
const WORKER_COUNTS = [1, 2, 4];
const repo = fileURLToPath(new URL("../..", import.meta.url));
// The same small script the tests use to run a command as src/cli.ts does (signals, exit code).
const natsCli = join(repo, "test/helpers/nats-cli.ts");

const root = await mkdtemp(join(tmpdir(), "pw-bench-queue-"));
const server = await startNatsServer();
const nc = await connect({ servers: server.url });
try {
  const configPath = await makeCase(root);

  // Direct: the work directories are laid out before the clock starts; only runSolver is timed.
  const directDirs = [];
  for (let i = 0; i < runs; i++) {
    directDirs.push(await prepareRunDir(join(root, "direct"), { id: `d${i}`, configPath }));
  }
  const directStarted = performance.now();
  for (const config of directDirs) {
    const result = await runSolver({ configPath: config });
    if (result.status !== "finished") throw new Error(`direct run failed: ${result.error?.message}`);
  }
  const directMs = performance.now() - directStarted;

  const rows: { workers: number; ms: number }[] = [];
  for (const count of WORKER_COUNTS) rows.push({ workers: count, ms: await queueRound(nc, server.url, configPath, count) });

  const perRun = (ms: number) => ms / runs;
  const line = (label: string, ms: number, extra = "") =>
    `  ${label.padEnd(34)} ${(ms / 1000).toFixed(1).padStart(6)} s  ${((runs * 1000) / ms).toFixed(1).padStart(6)} runs/s  ${perRun(ms).toFixed(1).padStart(6)} ms/run${extra}`;
  console.log(`queue bench: ${runs} trivial runs (bash solver), ${cpus().length} CPUs, nats-server at ${server.url}`);
  console.log(line("direct runSolver, one at a time", directMs));
  for (const row of rows) {
    const overhead = row.workers === 1 ? `   overhead +${(perRun(row.ms) - perRun(directMs)).toFixed(1)} ms/run` : `   ${(directMs / row.ms).toFixed(2)}x direct`;
    console.log(line(`queue, ${row.workers} worker process${row.workers > 1 ? "es" : ""}`, row.ms, overhead));
  }
} finally {
  await nc.close();
  await server.stop();
  await rm(root, { recursive: true, force: true });
}

/** One round: `count` idle workers, then `runs` submitted at once; timed from the submit to the last done record. */
async function queueRound(nc: NatsConnection, url: string, configPath: string, count: number): Promise<number> {
  const stream = `BENCH_${count}`;
  const names = workQueueNames(stream);
  const workers = await Promise.all(
    Array.from({ length: count }, (_, i) => startWorker({ nats: url, stream, workRoot: join(root, stream), name: `w${i}`, concurrency: "1" })),
  );
  let done = 0;
  let allDone: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (allDone = resolve));
  const sub = nc.subscribe(`${names.done}.>`, {
    callback: (_error, msg) => {
      if (!msg.subject.endsWith(".finished")) throw new Error(`a run failed: ${msg.string()}`);
      if (++done === runs) allDone();
    },
  });
  await nc.flush();
  const started = performance.now();
  await submitRuns({ nc, stream, configs: [configPath], repeat: runs });
  await finished;
  const ms = performance.now() - started;
  sub.unsubscribe();
  for (const w of workers) w.kill("SIGTERM");
  await Promise.all(workers.map((w) => new Promise((resolve) => (w.exitCode !== null ? resolve(null) : w.once("exit", resolve)))));
  return ms;
}

/** A worker process (node + tsx), resolved once it takes runs. */
function startWorker(flags: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", natsCli, "worker", JSON.stringify(flags)], { cwd: repo, stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  return new Promise((resolve, reject) => {
    child.stderr?.setEncoding("utf8").on("data", (d: string) => {
      err += d;
      if (/taking runs from/.test(err)) resolve(child);
    });
    child.on("exit", (code) => reject(new Error(`worker exited ${code}:\n${err}`)));
  });
}

/** The case every run uses: config.json beside scripts/main.sh. */
async function makeCase(dir: string): Promise<string> {
  const caseDir = join(dir, "case");
  await mkdir(join(caseDir, "scripts"), { recursive: true });
  const script = join(caseDir, "scripts/main.sh");
  await writeFile(script, '#!/bin/bash\necho "done 100%" >> "$PHYSICSWORKS_OUTPUTS_DIR/state.txt"\n');
  await chmod(script, 0o755);
  const configPath = join(caseDir, "config.json");
  await writeFile(configPath, JSON.stringify({ workDir: ".", mainScript: "main.sh" }));
  return configPath;
}
