/**
 * Many small outputs: a solver writes N files of S bytes into outputs/files/; files per second
 * uploaded end to end = N / (the run's wall time, runner start → runner exit, minus the solver's
 * own time measured alone, outside the runner). The reference server (`physicsworks-solve serve`,
 * in a process of its own) offers v2 unless --v1.
 * Run: npx tsx scripts/bench/many-files.ts [files, default 10000] [bytes, default 2048] [--v1]
 * (runs dist/: `npm run build` first)
 */
import { spawn } from "node:child_process";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { benchTempDir, buildNote, cpuSeconds, expectFinished, fmt, machineNote, prepareRun, startRunner, startServeProcess } from "./lib/bench-run.js";

const args = process.argv.slice(2);
const numbers = args.filter((a) => /^\d+$/.test(a)).map(Number);
const FILES = numbers[0] ?? 10_000;
const BYTES = numbers[1] ?? 2048;
const V2 = !args.includes("--v1");
const TARGET_FILES_PER_S = 500;
const SOLVER_ALONE_RUNS = 3;

/** Writes BENCH_FILES files of BENCH_FILE_BYTES bytes (each different) into outputs/files/, then the time it ends. */
const SOLVER = `import argparse, os, time
parser = argparse.ArgumentParser()
parser.add_argument("--outputsPath")
args, _ = parser.parse_known_args()
count, size = int(os.environ["BENCH_FILES"]), int(os.environ["BENCH_FILE_BYTES"])
folder = os.path.join(args.outputsPath, "files")
os.makedirs(folder, exist_ok=True)
block = os.urandom(size)
for i in range(count):
    with open(os.path.join(folder, "f%06d.dat" % i), "wb") as f:
        f.write((b"%08d" % i + block)[:size])
with open(os.environ["BENCH_END_FILE"], "w") as f:
    f.write(repr(time.time() * 1000))
`;

/** The solver on its own, as the runner starts it (python3 main.py --…Path=…), spawn → exit. */
async function solverAlone(root: string, files: number): Promise<number> {
  const dir = join(root, "alone");
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, "outputs"), { recursive: true });
  await writeFile(join(dir, "main.py"), SOLVER);
  const env = { ...process.env, BENCH_FILES: String(files), BENCH_FILE_BYTES: String(BYTES), BENCH_END_FILE: join(dir, "end"), PYTHONUNBUFFERED: "1" };
  const argv = ["main.py", `--inputsPath=${dir}`, `--outputsPath=${join(dir, "outputs")}`, `--rawPath=${dir}`];
  const started = performance.now();
  const child = spawn("python3", argv, { cwd: dir, env, stdio: "inherit" });
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`the solver alone exited ${code}`);
  await rm(dir, { recursive: true, force: true });
  return ms;
}

async function medianSolverAlone(root: string, files: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < SOLVER_ALONE_RUNS; i++) times.push(await solverAlone(root, files));
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)] as number;
}

interface RunFigure {
  ms: number;
  solverEndMs: number;
  firstUploadMs?: number;
  lastUploadEndMs?: number;
  requests: number;
  updates: number;
  /** CPU seconds of the runner process, and of the server's (`serve`), during the run. */
  runnerCpuS: number;
  serverCpuS: number;
}

/** One run of the runner on a fresh server; checks that every file is on the server. */
async function runnerRun(root: string, files: number): Promise<RunFigure> {
  // `physicsworks-solve serve` in a process of its own, as users run it (and as upload.ts does).
  const server = await startServeProcess(root, V2);
  try {
    const endFile = join(root, `solver-end-${files}`);
    const run = await prepareRun(root, server, SOLVER, { BENCH_FILES: String(files), BENCH_FILE_BYTES: String(BYTES), BENCH_END_FILE: endFile });
    const serverCpuBefore = await cpuSeconds(server.pid);
    const runner = startRunner(run.configPath);
    const exit = await runner.exited;
    const serverCpuS = (await cpuSeconds(server.pid)) - serverCpuBefore;
    await expectFinished(exit, run, `${files} files`);
    const runId = (await server.runId()) as string;
    const stored = (await readdir(join(server.dataDir, "runs", runId, "files"))).filter((name) => name.endsWith(".dat"));
    if (stored.length !== files) throw new Error(`${stored.length} of ${files} files are on the server`);
    const requests = (await readFile(join(server.dataDir, "requests.jsonl"), "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { at: string; path: string; ms: number });
    const uploads = requests.filter((r) => r.path === "/storage/chunks" || r.path.startsWith("/storage/uploads"));
    const at = (r: { at: string }) => Date.parse(r.at) - runner.startedAt;
    return {
      ms: exit.endedAt - runner.startedAt,
      solverEndMs: Number(await readFile(endFile, "utf8")) - runner.startedAt,
      ...(uploads.length ? { firstUploadMs: at(uploads[0]!), lastUploadEndMs: Math.max(...uploads.map((r) => at(r) + r.ms)) } : {}),
      requests: uploads.length,
      updates: requests.filter((r) => r.path.startsWith("/simulation/run/update/")).length,
      runnerCpuS: runner.cpuS(),
      serverCpuS,
    };
  } finally {
    await server.close();
  }
}

async function main(): Promise<void> {
  const note = buildNote();
  const temp = await benchTempDir("many-files");
  try {
    const alone = await medianSolverAlone(temp.dir, FILES);
    const alone0 = await medianSolverAlone(temp.dir, 0);
    const empty = await runnerRun(temp.dir, 0);
    const full = await runnerRun(temp.dir, FILES);
    const uploadMs = full.ms - alone;
    const rate = FILES / (uploadMs / 1000);
    const fixed = empty.ms - alone0;
    const rateBeyondFixed = FILES / ((uploadMs - fixed) / 1000);

    console.log(`many-files: ${FILES} files of ${BYTES} bytes written by the solver into outputs/files/, ${V2 ? "v2" : "v1-only"} reference server`);
    console.log(`  ${note}`);
    console.log(`  ${machineNote()}`);
    console.log("  measured: files/s = files / (run wall time − the solver's time alone); run wall time = spawn of");
    console.log("  `node bin/physicsworks-solve.js` → its exit (init, download, solver, uploads, final status); the solver");
    console.log(`  alone = the same python3 main.py outside the runner, spawn → exit, median of ${SOLVER_ALONE_RUNS}. Every file checked on the server.`);
    console.log("");
    console.log(`  solver alone                         ${fmt.s(alone).padStart(9)}`);
    console.log(`  run, ${String(FILES).padEnd(6)} files                  ${fmt.s(full.ms).padStart(9)}   (solver ended at ${fmt.s(full.solverEndMs)})`);
    if (full.firstUploadMs !== undefined && full.lastUploadEndMs !== undefined) {
      console.log(
        `    uploads: ${full.requests} requests (${(full.requests / FILES).toFixed(1)} per file), from ${fmt.s(full.firstUploadMs)} to ${fmt.s(full.lastUploadEndMs)}; ` +
          `${full.updates} run node updates`,
      );
      // Independent of other load on the machine: the best the two processes could do on idle cores.
      const cores = availableParallelism();
      const bound = FILES / Math.max(full.runnerCpuS, full.serverCpuS, (full.runnerCpuS + full.serverCpuS) / cores);
      console.log(
        `    CPU during the run: runner ${full.runnerCpuS.toFixed(1)} s (${((full.runnerCpuS / FILES) * 1000).toFixed(1)} ms a file), ` +
          `server (serve) ${full.serverCpuS.toFixed(1)} s (${((full.serverCpuS / FILES) * 1000).toFixed(1)} ms a file): ` +
          `on ${cores} idle cores at best ${bound.toFixed(0)} files/s`,
      );
    }
    console.log(`  run − solver alone                   ${fmt.s(uploadMs).padStart(9)}`);
    console.log(`  files per second                     ${rate.toFixed(0).padStart(9)}   target ≥ ${TARGET_FILES_PER_S}: ${fmt.ok(rate >= TARGET_FILES_PER_S)}`);
    console.log("");
    console.log(`  for reference: a run whose solver writes 0 files takes ${fmt.s(empty.ms)} (its solver alone ${fmt.s(alone0)}): a fixed`);
    console.log(`  cost of ${fmt.s(fixed)}, included above; without it, ${rateBeyondFixed.toFixed(0)} files/s`);
  } finally {
    await temp.cleanup();
  }
}

await main();
