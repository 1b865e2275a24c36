/**
 * Throughput of one large whole-file upload, v2 (resumable) and v1 (base64 chunks), against the
 * reference server, as a ratio to a plain streaming HTTP PUT of the same file to a sink server on
 * 127.0.0.1 measured in the same run (median of 3, interleaved with the runs); and the runner's
 * peak RSS. The file is in outputs/files/ when the run starts (a hard link of one master file) and
 * the solver only records the time it ends, so the upload phase (solver's end → runner's exit) is
 * the final pass of the upload and little else.
 * Each variant runs `runs` times (the median is reported, the peak RSS is the highest), each run
 * between two baseline PUTs; this VM's speed drifts by a third over minutes, so one run of each
 * proved too noisy to compare.
 * Run: npx tsx scripts/bench/upload.ts [size, default 1GiB; e.g. 256MiB, 4GiB, 1000000000] [runs, default 3]
 * (runs dist/: `npm run build` first). BENCH_TIMELINE=1 also prints each run's requests, as the
 * server logged them, in ms from the solver's end, and the server's CPU by thread.
 * BENCH_SERVE_NODE_ARGS and BENCH_SERVE_LOG (see bench-run.ts) profile or trace the server.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, statfsSync } from "node:fs";
import { link, mkdir, open, readdir, readFile, rm, stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import {
  benchTempDir,
  buildNote,
  cpuSeconds,
  expectFinished,
  fmt,
  machineNote,
  prepareRun,
  startServeProcess,
  startRunner,
  type ServeProcess,
  threadCpuSeconds,
} from "./lib/bench-run.js";

const size = parseSize(process.argv[2] ?? "1GiB");
const RUNS = parseRuns(process.argv[3] ?? "3");
const TARGET = { v2: 0.7, v1: 0.4, peakMb: 200 };
const MIB = 1024 * 1024;

/** The solver: its last act is to write the time it ends (ms since the epoch) where BENCH_END_FILE says. */
const SOLVER = `import os, time
with open(os.environ["BENCH_END_FILE"], "w") as f:
    f.write(repr(time.time() * 1000))
`;

function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|kib|mib|gib)?$/i.exec(text.trim());
  if (!m) throw new Error(`size: expected a number of bytes or e.g. 256MiB, 1GiB, 2GB (got ${JSON.stringify(text)})`);
  const unit = (m[2] ?? "b").toLowerCase();
  const factor = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 }[unit] as number;
  return Math.round(Number(m[1]) * factor);
}

function parseRuns(text: string): number {
  const runs = Number(text);
  if (!Number.isSafeInteger(runs) || runs < 1) throw new Error(`runs: expected a whole number ≥ 1 (got ${JSON.stringify(text)})`);
  return runs;
}

/** Random bytes (a 16 MiB random block, each 1 MiB of it stamped with its offset), and their sha256. */
async function writeMaster(path: string): Promise<string> {
  const block = randomBytes(16 * 1024 * 1024);
  const hash = createHash("sha256");
  const handle = await open(path, "w");
  try {
    for (let at = 0; at < size; at += block.length) {
      for (let i = 0; i < block.length; i += 1024 * 1024) block.writeDoubleLE(at + i, i);
      const piece = block.subarray(0, Math.min(block.length, size - at));
      hash.update(piece);
      await handle.write(piece, 0, piece.length, at);
    }
  } finally {
    await handle.close();
  }
  return hash.digest("hex");
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

/**
 * A node:http server that reads every request body and throws it away, answering the byte count,
 * in a process of its own, as the PUT's client and the reference server are. In this process,
 * with tsx and the benchmark loaded, V8 runs a full collection for every ~15 MB of socket buffers
 * it takes in (the heap is past its 8 MB threshold for incremental marking): a plain PUT took a
 * third longer there (0.59 s against 0.44 s).
 */
const SINK_SERVER = `
const http = require("node:http");
const server = http.createServer((req, res) => {
  let bytes = 0;
  req.on("data", (piece) => (bytes += piece.length));
  req.on("end", () => res.end(JSON.stringify({ bytes })));
});
server.listen(0, "127.0.0.1", () => process.stdout.write(String(server.address().port) + "\\n"));
`;

async function startSink(): Promise<{ url: string; close(): Promise<void> }> {
  const child = spawn(process.execPath, ["-e", SINK_SERVER], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      out += s;
      if (out.includes("\n")) resolve(Number(out.trim()));
    });
    child.once("exit", (code) => reject(new Error(`the sink exited before it listened (code ${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}/sink`,
    close: async () => {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The client in its own process, as the runner is: PUT with Content-Length, body piped from fs.createReadStream. */
const PUT_CLIENT = `
const http = require("node:http"), fs = require("node:fs");
const [url, file, readBytes] = process.argv.slice(1);
const size = fs.statSync(file).size;
const t0 = process.hrtime.bigint();
const req = http.request(url, { method: "PUT", headers: { "content-type": "application/octet-stream", "content-length": size } }, (res) => {
  let body = "";
  res.setEncoding("utf8").on("data", (s) => (body += s)).on("end", () => {
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    process.stdout.write(JSON.stringify({ ms, status: res.statusCode, received: JSON.parse(body).bytes }));
  });
});
fs.createReadStream(file, readBytes ? { highWaterMark: Number(readBytes) } : {}).pipe(req);
`;

/** One PUT of `file` to the sink, read in the stream's default 64 KiB pieces (the baseline) or in `readBytes` ones. */
async function plainPut(url: string, file: string, readBytes?: number): Promise<number> {
  const child = spawn(process.execPath, ["-e", PUT_CLIENT, url, file, ...(readBytes ? [String(readBytes)] : [])], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  const answer = JSON.parse(out || "{}") as { ms?: number; status?: number; received?: number };
  if (code !== 0 || answer.status !== 200 || answer.received !== size || answer.ms === undefined) {
    throw new Error(`plain PUT failed (exit ${code}): ${out}`);
  }
  return answer.ms;
}

interface RunnerFigure {
  ms: number;
  peakKiB: number;
  /** Where the upload phase went, from the server's request log. */
  breakdown: string;
  /** CPU seconds of the runner process and of the server's process in the upload phase. */
  runnerCpuS: number;
  serverCpuS: number;
}

interface LoggedRequest {
  at: string;
  method: string;
  path: string;
  status: number;
  ms: number;
}

/**
 * The upload phase split by the server's request log (DATA/requests.jsonl: arrival time and
 * duration of each request): before the big file's first upload request (the runner's own work:
 * scan, and for v2 the sha256 of the file), its requests, and what follows them (other small
 * uploads the runner makes after the final pass, the final status, the exit).
 */
function breakdown(requests: LoggedRequest[], solverEnd: number, endedAt: number, v2: boolean): string {
  const start = (r: LoggedRequest) => Date.parse(r.at);
  let mine: LoggedRequest[];
  if (v2) {
    // The big file's upload is the one with the longest PATCH.
    const patches = requests.filter((r) => r.method === "PATCH" && r.path.startsWith("/storage/uploads/"));
    const longest = patches.reduce<LoggedRequest | undefined>((a, r) => (a && a.ms >= r.ms ? a : r), undefined);
    if (!longest) return "no upload request in the server's log";
    const id = longest.path.split("/")[3] as string;
    const open = requests.filter((r) => r.method === "POST" && r.path === "/storage/uploads" && start(r) <= start(longest)).at(-1);
    mine = [...(open ? [open] : []), ...requests.filter((r) => r.path.split("/")[3] === id)];
  } else {
    // Nothing else goes through storage/chunks before it: its chunks are the first ceil(size / 5 MiB).
    mine = requests.filter((r) => r.path === "/storage/chunks").slice(0, Math.max(1, Math.ceil(size / (5 * 1024 * 1024))));
  }
  if (mine.length === 0) return "no upload request in the server's log";
  const first = start(mine[0] as LoggedRequest);
  const last = mine.reduce((end, r) => Math.max(end, start(r) + r.ms), 0);
  const parts = [`before the file's first upload request ${fmt.s(first - solverEnd)}`];
  if (v2) {
    const patch = mine.filter((r) => r.method === "PATCH");
    const complete = mine.find((r) => r.path.endsWith("/complete"));
    parts.push(`PATCH ×${patch.length} ${fmt.s(patch.reduce((sum, r) => sum + r.ms, 0))} (body on the wire + server's disk writes)`);
    if (complete) parts.push(`complete ${fmt.s(complete.ms)} (server's sha256)`);
  } else {
    const busy = mine.reduce((sum, r) => sum + r.ms, 0);
    parts.push(
      `${mine.length} chunk requests over ${fmt.s(last - first)}: requests under way ${fmt.s(busy)} (the runner streaming the base64 form + the server parsing and writing), ` +
        `between them ${fmt.s(last - first - busy)} (runner: read, hash, answer)`,
    );
  }
  parts.push(`after its last request ${fmt.s(endedAt - last)}`);
  return parts.join("; ");
}

/**
 * One run against `server` (a serve process kept for all the runs of its variant): the file linked
 * into outputs/files/, the upload phase timed, the stored copy checked and then removed.
 */
async function runnerUpload(server: ServeProcess, root: string, master: string, digest: string, v2: boolean): Promise<RunnerFigure> {
  const runsDir = join(server.dataDir, "runs");
  const runsBefore = new Set(await readdir(runsDir).catch(() => []));
  // A file of its own for each run: one left by an earlier run would end the wait for this one's at once.
  const endFile = join(root, `solver-end-${v2 ? "v2" : "v1"}-${randomBytes(4).toString("hex")}`);
  const run = await prepareRun(root, server, SOLVER, { BENCH_END_FILE: endFile });
  await mkdir(join(run.workDir, "outputs/files"), { recursive: true });
  await link(master, join(run.workDir, "outputs/files/big.bin"));
  const runner = startRunner(run.configPath);
  // CPU from the solver's end (its end file appears) to the runner's exit: the upload phase's.
  let atEnd: { runnerS: number; serverS: number; serverThreads: Map<string, number> } | undefined;
  let exited = false;
  const exiting = runner.exited.finally(() => (exited = true));
  while (!exited && !atEnd) {
    if (await stat(endFile).catch(() => undefined)) {
      atEnd = { runnerS: await cpuSeconds(runner.pid), serverS: await cpuSeconds(server.pid), serverThreads: await threadCpuSeconds(server.pid) };
    } else await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const exit = await exiting;
  const runnerCpuS = runner.cpuS() - (atEnd?.runnerS ?? 0);
  const serverCpuS = (await cpuSeconds(server.pid)) - (atEnd?.serverS ?? 0);
  const serverThreads = threadsNote(await threadCpuSeconds(server.pid), atEnd?.serverThreads);
  await expectFinished(exit, run, `upload through ${v2 ? "v2" : "v1"}`);
  const solverEnd = Number(await readFile(endFile, "utf8"));
  // The stored copy must be the file, or the time means nothing.
  const runId = (await readdir(runsDir)).find((id) => !runsBefore.has(id));
  if (!runId) throw new Error(`upload through ${v2 ? "v2" : "v1"}: no new run on the server`);
  const filesDir = join(runsDir, runId, "files");
  const stored = (await readdir(filesDir)).find((name) => name.endsWith(".bin"));
  if (!stored) throw new Error(`upload through ${v2 ? "v2" : "v1"}: no .bin file on the server`);
  const storedPath = join(filesDir, stored);
  if ((await stat(storedPath)).size !== size || (await sha256Of(storedPath)) !== digest) {
    throw new Error(`upload through ${v2 ? "v2" : "v1"}: the stored file differs from the one sent`);
  }
  await rm(storedPath);
  // This run's requests: the server's log holds the runs before it too.
  const requests = (await readFile(join(server.dataDir, "requests.jsonl"), "utf8"))
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LoggedRequest)
    .filter((r) => Date.parse(r.at) >= runner.startedAt);
  if (process.env.BENCH_TIMELINE) for (const r of requests) console.error(`${v2 ? "v2" : "v1"} ${(Date.parse(r.at) - solverEnd).toFixed(0).padStart(6)} ms +${String(r.ms).padStart(5)} ${r.method} ${r.path} ${r.status}`);
  if (process.env.BENCH_TIMELINE) console.error(`exit at ${exit.endedAt - solverEnd} ms; server CPU ${serverCpuS.toFixed(2)} s (${serverThreads})`);
  return {
    ms: exit.endedAt - solverEnd,
    peakKiB: runner.peakKiB(),
    breakdown: breakdown(requests, solverEnd, exit.endedAt, v2),
    runnerCpuS,
    serverCpuS,
  };
}

/** Each thread's CPU seconds between two readings, busiest first, for BENCH_TIMELINE. */
function threadsNote(after: Map<string, number>, before = new Map<string, number>()): string {
  return [...after]
    .map(([name, s]) => [name, s - (before.get(name) ?? 0)] as const)
    .filter(([, s]) => s >= 0.005)
    .sort((a, b) => b[1] - a[1])
    .map(([name, s]) => `${name} ${s.toFixed(2)} s`)
    .join(", ");
}

/**
 * The CPU both processes spent, and the throughput it allows at best: each process works on one
 * core at a time, and together they have the machine's cores (the other work of the run included).
 */
function cpuNote(f: RunnerFigure): string {
  const cores = availableParallelism();
  const boundS = Math.max(f.runnerCpuS, f.serverCpuS, (f.runnerCpuS + f.serverCpuS) / cores);
  return `CPU in that phase: runner ${f.runnerCpuS.toFixed(2)} s, server (serve) ${f.serverCpuS.toFixed(2)} s: on ${cores} idle cores at best ${fmt.mbps(size, boundS * 1000)}`;
}

/** The run of median time, with the highest peak RSS of all the runs. */
function medianRun(runs: RunnerFigure[]): RunnerFigure & { all: number[] } {
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  const middle = sorted[Math.floor(sorted.length / 2)] as RunnerFigure;
  return { ...middle, peakKiB: Math.max(...runs.map((r) => r.peakKiB)), all: runs.map((r) => r.ms) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function main(): Promise<void> {
  const note = buildNote();
  const temp = await benchTempDir("upload");
  const sink = await startSink();
  let v2Server: ServeProcess | undefined;
  let v1Server: ServeProcess | undefined;
  try {
    const { bavail, bsize } = statfsSync(temp.dir);
    // The master file, the server's stored copy (one run at a time: each is removed once checked), and room to spare.
    if (bavail * bsize < 2 * size + 1024 ** 3) {
      throw new Error(`not enough space in ${temp.dir}: ${fmt.mb(bavail * bsize)} free, need ${fmt.mb(2 * size + 1024 ** 3)}`);
    }
    const master = join(temp.dir, "master.bin");
    const digest = await writeMaster(master);
    v2Server = await startServeProcess(temp.dir, true);
    v1Server = await startServeProcess(temp.dir, false);

    const baseline: number[] = [];
    const v2Runs: RunnerFigure[] = [];
    const v1Runs: RunnerFigure[] = [];
    // Warm-ups, not measured: the file in the page cache, the code paths of each server hot (a
    // platform's server has been up a while when a run reaches it). Each runner is a process of its own, as a run's is.
    await plainPut(sink.url, master);
    await runnerUpload(v2Server, temp.dir, master, digest, true);
    await runnerUpload(v1Server, temp.dir, master, digest, false);
    for (let run = 0; run < RUNS; run++) {
      baseline.push(await plainPut(sink.url, master));
      v2Runs.push(await runnerUpload(v2Server, temp.dir, master, digest, true));
      baseline.push(await plainPut(sink.url, master));
      v1Runs.push(await runnerUpload(v1Server, temp.dir, master, digest, false));
    }
    baseline.push(await plainPut(sink.url, master));
    const put = median(baseline);
    // Context, not the baseline: the same PUT read in 1 MiB pieces, as the runner reads a PATCH's body.
    const bigReads = median([await plainPut(sink.url, master, MIB), await plainPut(sink.url, master, MIB), await plainPut(sink.url, master, MIB)]);
    const v2 = medianRun(v2Runs);
    const v1 = medianRun(v1Runs);

    const ratio = (ms: number) => put / ms;
    const row = (name: string, ms: number, extra = "") =>
      console.log(`  ${name.padEnd(30)} ${fmt.s(ms).padStart(9)}  ${fmt.mbps(size, ms).padStart(13)}  ${ratio(ms).toFixed(2).padStart(6)}${extra}`);
    const peakOk = (kib: number) => (kib * 1024) / 1e6 < TARGET.peakMb;

    console.log(`upload: one ${fmt.mb(size)} file in outputs/files/ (${size} bytes), sent by the runner to the reference server`);
    console.log(`  ${note}`);
    console.log(`  ${machineNote()}`);
    console.log("  measured: upload phase = the solver's end (the time it writes as its last act) → the runner's exit; the file is");
    console.log("  in outputs/files/ before the run and the solver exits at once, so this is the final pass (v2: sha256 of the file,");
    console.log("  open, PATCH, complete with the server's own digest check; v1: 5 MiB base64 form chunks), the final status update");
    console.log("  and the runner's exit. The server (`physicsworks-solve serve`) writes to disk; the sink discards the body; each");
    console.log("  runs in a process of its own, one for all the runs of a variant, warmed up (as the sink is) by one run not measured;");
    console.log("  each run's runner is a new process.");
    console.log(`  baseline: plain streaming HTTP PUT (node:http + fs.createReadStream, own process) to a sink (own process) on 127.0.0.1, median of ${baseline.length}`);
    console.log(`            (${baseline.map((ms) => fmt.s(ms)).join(", ")}), one before and after each run; MB = 10^6 bytes`);
    console.log(`  for context: the same PUT with 1 MiB reads (as the runner reads a PATCH's body) took ${fmt.s(bigReads)} (median of 3): the`);
    console.log("            baseline's 64 KiB reads cost a round of the event loop each; the sink takes in the body at that speed");
    console.log(`  runner: median of ${RUNS} run(s) each (v2 ${v2.all.map((ms) => fmt.s(ms)).join(", ")}; v1 ${v1.all.map((ms) => fmt.s(ms)).join(", ")}); peak RSS the highest of them`);
    console.log("");
    console.log(`  ${"".padEnd(30)} ${"time".padStart(9)}  ${"throughput".padStart(13)}  ${"× PUT".padStart(6)}  peak RSS (VmHWM)`);
    row("plain PUT (median)", put);
    row("runner v2 (v2 server)", v2.ms, `  ${fmt.kibAsMb(v2.peakKiB)}`);
    row("runner v1 (v1-only server)", v1.ms, `  ${fmt.kibAsMb(v1.peakKiB)}`);
    console.log(`  where the median v2 run's time went: ${v2.breakdown}`);
    console.log(`  ${cpuNote(v2)}`);
    console.log(`  where the median v1 run's time went: ${v1.breakdown}`);
    console.log(`  ${cpuNote(v1)}`);
    console.log("");
    console.log(`  target v2 ≥ ${TARGET.v2.toFixed(2)} × PUT: ${ratio(v2.ms).toFixed(2)} — ${fmt.ok(ratio(v2.ms) >= TARGET.v2)}`);
    console.log(`  target v1 ≥ ${TARGET.v1.toFixed(2)} × PUT: ${ratio(v1.ms).toFixed(2)} — ${fmt.ok(ratio(v1.ms) >= TARGET.v1)}`);
    console.log(
      `  target peak RSS < ${TARGET.peakMb} MB: v2 ${fmt.kibAsMb(v2.peakKiB)} — ${fmt.ok(peakOk(v2.peakKiB))}; v1 ${fmt.kibAsMb(v1.peakKiB)} — ${fmt.ok(peakOk(v1.peakKiB))}`,
    );
  } finally {
    await sink.close();
    await v2Server?.close();
    await v1Server?.close();
    await temp.cleanup();
  }
}

await main();
