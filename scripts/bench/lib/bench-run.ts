/**
 * What the platform benchmarks share: a reference server on 127.0.0.1 with run data and a scripts
 * zip seeded, a work directory with its config.json, and the runner as a child process
 * (`node bin/physicsworks-solve.js`), so that its memory and CPU are its own, read from /proc.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { appendFileSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ZipFile } from "yazl";
import { startServer, type RunningServer } from "../../../src/server/index.js";

export const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));
export const CLI = join(REPO_ROOT, "bin/physicsworks-solve.js");
const PROJECT = "bench-project";
const SIMULATION = "bench-sim";

/** One temporary folder for everything a benchmark writes; removed by `cleanup`, also on Ctrl-C. */
export async function benchTempDir(name: string): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `pw-bench-${name}-`));
  let done: Promise<void> | undefined;
  const cleanup = () => (done ??= rm(dir, { recursive: true, force: true }));
  const onSignal = () => {
    void cleanup().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  return { dir, cleanup };
}

export interface BenchServer {
  server: RunningServer;
  url: string;
  token: string;
  dataDir: string;
  /** The one run this fresh server holds (its folder under DATA/runs), once the runner created it. */
  runId(): Promise<string | undefined>;
  close(): Promise<void>;
}

/** The one run a fresh server's DATA folder holds (its folder under DATA/runs), once the runner created it. */
async function onlyRun(dataDir: string): Promise<string | undefined> {
  const runs = await readdir(join(dataDir, "runs")).catch(() => []);
  return runs[0];
}

/** The reference server (v2 on or off) with a fresh DATA folder under `root`. */
export async function startBenchServer(root: string, v2: boolean): Promise<BenchServer> {
  const dataDir = await mkdtemp(join(root, `server-${v2 ? "v2" : "v1"}-`));
  const token = randomBytes(16).toString("hex");
  const server = await startServer({ dataDir, port: 0, host: "127.0.0.1", token, v2 });
  return {
    server,
    url: server.url,
    token,
    dataDir,
    runId: () => onlyRun(dataDir),
    async close() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** What prepareRun needs of a server: where it listens, its token, its data folder. */
export type ServerAddress = Pick<BenchServer, "url" | "token" | "dataDir">;

export interface ServeProcess extends Pick<BenchServer, "url" | "token" | "dataDir" | "runId"> {
  pid: number;
  /** SIGTERM, its exit awaited, its data folder removed. */
  close(): Promise<void>;
}

/**
 * `node bin/physicsworks-solve.js serve` in a process of its own, as a user starts it (dist/),
 * resolved once it prints its URL. Its heap is then its own: in the benchmark's process, with tsx
 * and the benchmark's code loaded, V8 runs a full collection for every ~15 MB of socket buffers.
 */
export async function startServeProcess(root: string, v2: boolean): Promise<ServeProcess> {
  const dataDir = await mkdtemp(join(root, `serve-${v2 ? "v2" : "v1"}-`));
  const token = randomBytes(16).toString("hex");
  const args = [CLI, "serve", "--port", "0", "--host", "127.0.0.1", "--data", dataDir, "--token", token, ...(v2 ? [] : ["--v1Only"])];
  // BENCH_SERVE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server (it writes the profile on SIGTERM's exit).
  const nodeArgs = (process.env.BENCH_SERVE_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  if (child.pid === undefined) throw new Error("could not start physicsworks-solve serve");
  const pid = child.pid;
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr = (stderr + s).slice(-10_000)));
  // BENCH_SERVE_LOG=file keeps what the server wrote (with BENCH_SERVE_NODE_ARGS="--trace-gc", its collections).
  const log = process.env.BENCH_SERVE_LOG;
  if (log) for (const stream of [child.stdout, child.stderr]) stream.on("data", (s: string | Buffer) => appendFileSync(log, s));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      out += s;
      const found = /^(http:\/\/\S+\/)$/m.exec(out)?.[1];
      if (found) resolve(found);
    });
    void exited.then(() => reject(new Error(`physicsworks-solve serve exited before it listened: ${stderr}`)));
  });
  return {
    url,
    token,
    dataDir,
    pid,
    runId: () => onlyRun(dataDir),
    async close() {
      child.kill("SIGTERM");
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface BenchRun {
  dir: string;
  workDir: string;
  configPath: string;
}

/**
 * A platform run ready to start: run data and a scripts zip (holding `solver` as main.py) seeded
 * on the server, and a config.json with host, token, project, simulation, job and owner.
 */
export async function prepareRun(root: string, server: ServerAddress, solver: string, env: Record<string, string> = {}): Promise<BenchRun> {
  const dir = await mkdtemp(join(root, "run-"));
  const workDir = join(dir, "work");
  await mkdir(workDir);
  const files = join(server.dataDir, "files");
  await mkdir(files, { recursive: true });
  const zip = await zipOf("main.py", solver);
  // Named by content: a runner's download cache keyed by file id never hands out another solver.
  const scriptsId = `bench-scripts-${createHash("sha256").update(zip).digest("hex").slice(0, 16)}.zip`;
  await writeFile(join(files, scriptsId), zip);
  const runData = join(server.dataDir, "run-data", PROJECT);
  await mkdir(runData, { recursive: true });
  await writeFile(
    join(runData, `${SIMULATION}.json`),
    JSON.stringify({
      simulation: { tree: { id: "bench-tree", name: "bench" }, meshes: [] },
      materials: [],
      inputs: {},
      physicsFeature: { config: {}, scripts: scriptsId },
    }),
  );
  const configPath = join(dir, "config.json");
  const config = { workDir: "work", host: server.url, token: server.token, project: PROJECT, simulation: SIMULATION, job: "bench-job", owner: "bench", env };
  await writeFile(configPath, JSON.stringify(config, null, 2));
  return { dir, workDir, configPath };
}

async function zipOf(name: string, text: string): Promise<Buffer> {
  const zip = new ZipFile();
  zip.addBuffer(Buffer.from(text), name, { mode: 0o100644 });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export interface RunnerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Date.now() when the process had exited. */
  endedAt: number;
  stderr: string;
}

export interface RunnerProcess {
  pid: number;
  /** Date.now() just before spawn. */
  startedAt: number;
  exited: Promise<RunnerExit>;
  /** The highest VmHWM seen so far, in KiB (sampled every `sampleMs` while the runner lives). */
  peakKiB(): number;
  /** The runner's CPU time (utime + stime) at the last sample, in seconds. */
  cpuS(): number;
  /** SIGTERM to the runner (it stops its solver's process group); for a bench that gives up. */
  stop(): void;
}

/**
 * `node bin/physicsworks-solve.js --configPath=… --quiet` as a child process, its download cache
 * (PHYSICSWORKS_CACHE_DIR) next to the config file, not in ~/.cache; stopped with SIGTERM
 * (it stops its solver) if it runs longer than `limitMs`, so a bench never hangs. The outcome is
 * read from debug/run.json, not from `--json` on stdout: a summary over 64 KiB is cut short there
 * (the CLI exits before the pipe has drained).
 */
export function startRunner(configPath: string, { sampleMs = 50, limitMs = 10 * 60_000 } = {}): RunnerProcess {
  const startedAt = Date.now();
  const env = { ...process.env, PHYSICSWORKS_CACHE_DIR: join(dirname(configPath), "download-cache") };
  // BENCH_RUNNER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the runner (NODE_OPTIONS refuses --cpu-prof).
  const nodeArgs = (process.env.BENCH_RUNNER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  // BENCH_RUNNER_FLAGS="--filesDuringRun" measures the runner with flags of its own.
  const flags = (process.env.BENCH_RUNNER_FLAGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, CLI, `--configPath=${configPath}`, "--quiet", ...flags], { env, stdio: ["ignore", "ignore", "pipe"] });
  if (child.pid === undefined) throw new Error("could not start the runner");
  const pid = child.pid;
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  let peak = 0;
  let cpu = 0;
  const sample = () => {
    const hwm = memoryOf(pid)?.hwmKiB;
    if (hwm !== undefined && hwm > peak) peak = hwm;
    cpu = cpuSecondsSync(pid) ?? cpu;
  };
  const sampler = setInterval(sample, sampleMs);
  const limit = setTimeout(() => {
    process.stderr.write(`the runner ran longer than ${limitMs / 1000} s: stopping it (SIGTERM to pid ${pid})\n`);
    child.kill("SIGTERM");
  }, limitMs);
  const exited = new Promise<RunnerExit>((resolve, reject) => {
    child.once("error", reject);
    // "exit", not "close": the solver's process group may hold the pipes a moment longer.
    child.once("exit", (code, signal) => {
      const endedAt = Date.now();
      clearInterval(sampler);
      clearTimeout(limit);
      child.once("close", () => resolve({ code, signal, endedAt, stderr }));
    });
  });
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  };
  return { pid, startedAt, exited, peakKiB: () => peak, cpuS: () => cpu, stop };
}

/** Throws unless the run ended `finished` with exit 0 (debug/run.json), quoting what the runner said. */
export async function expectFinished(exit: RunnerExit, run: BenchRun, what: string): Promise<void> {
  const result = (await readFile(join(run.workDir, "debug/run.json"), "utf8")
    .then((text) => JSON.parse(text) as { status?: string; error?: { message: string } })
    .catch(() => undefined)) ?? { status: undefined };
  if (exit.code === 0 && result.status === "finished") return;
  const why = result.error?.message ?? exit.stderr.trim().split("\n").slice(-5).join("\n");
  throw new Error(`${what}: the run did not finish (exit ${exit.code ?? exit.signal}, status ${result.status ?? "unknown"}): ${why}`);
}

/** VmRSS and VmHWM of a live process, in KiB; undefined once it is gone. */
export function memoryOf(pid: number): { rssKiB: number; hwmKiB: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return undefined;
  }
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1]);
  const rssKiB = field("VmRSS");
  const hwmKiB = field("VmHWM");
  return Number.isFinite(hwmKiB) ? { rssKiB, hwmKiB } : undefined;
}

/** utime + stime of a process (all its threads), in seconds. */
export async function cpuSeconds(pid: number): Promise<number> {
  return cpuOfStat(await readFile(`/proc/${pid}/stat`, "utf8"));
}

/** CPU seconds of each thread of a process, by thread name ("node" is the main thread; libuv's pool, V8's workers). */
export async function threadCpuSeconds(pid: number): Promise<Map<string, number>> {
  const byName = new Map<string, number>();
  for (const tid of await readdir(`/proc/${pid}/task`).catch(() => [])) {
    const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, "utf8").catch(() => undefined);
    if (!stat) continue;
    const name = tid === String(pid) ? "main" : stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")).trim();
    byName.set(name, (byName.get(name) ?? 0) + cpuOfStat(stat));
  }
  return byName;
}

function cpuSecondsSync(pid: number): number | undefined {
  try {
    return cpuOfStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined;
  }
}

function cpuOfStat(stat: string): number {
  // The command name may hold spaces and parentheses: the fields start after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 14 and 15 of proc(5) (utime, stime); here index 11 and 12, counted from field 3.
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** sysconf(_SC_CLK_TCK): 100 on every Linux the runner targets. */
const CLOCK_TICKS = 100;

/** Waits until `check` gives a value (not undefined), polling every `everyMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The runner under test is dist/ (what bin/ starts). When a source file is newer than the build,
 * the figures are of older code: say so.
 */
export function buildNote(): string {
  let built: number;
  try {
    built = statSync(join(REPO_ROOT, "dist/cli.js")).mtimeMs;
  } catch {
    throw new Error("dist/cli.js is missing: run `npm run build` first");
  }
  const newer = newerThan(join(REPO_ROOT, "src"), built);
  const when = new Date(built).toISOString().replace("T", " ").slice(0, 19);
  return newer.length
    ? `runner: dist/ built ${when} UTC — WARNING: ${newer.length} source file(s) changed since (e.g. ${newer[0]}); run \`npm run build\``
    : `runner: dist/ built ${when} UTC, up to date with src/`;
}

function newerThan(dir: string, time: number): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...newerThan(full, time));
    else if (entry.name.endsWith(".ts") && statSync(full).mtimeMs > time) found.push(full.slice(REPO_ROOT.length));
  }
  return found;
}

/** The cores and how busy they were: other processes on the machine make the figures noisy. */
export function machineNote(): string {
  const cores = availableParallelism();
  const [one, five] = loadavg() as [number, number, number];
  const busy = one > 0.5 * cores ? " — busy: other processes shared the cores, figures are noisy" : "";
  return `machine: ${cores} cores, load average ${one.toFixed(2)} (1 min), ${five.toFixed(2)} (5 min)${busy}`;
}

/** Numbers as the benchmarks print them. */
export const fmt = {
  mb: (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`,
  mbps: (bytes: number, ms: number) => `${(bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s`,
  /** /proc's "kB" are KiB. */
  kibAsMb: (kib: number) => `${((kib * 1024) / 1e6).toFixed(1)} MB`,
  s: (ms: number) => `${(ms / 1000).toFixed(2)} s`,
  ok: (pass: boolean) => (pass ? "meets target" : "MISSES target"),
};
