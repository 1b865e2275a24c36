/**
 * (a) Live latency: the solver appends a line to outputs/logs/x.log, closes the file and records the
 *     time; this process polls the server's stored copy of x.log (DATA/runs/<run>/files/, found by
 *     its file record) every 10 ms and notes when each line arrives. The gaps between lines vary,
 *     some shorter than the runner's live interval (tuning.liveIntervalMs), so the throttle shows.
 * (b) Idle cost: the runner's CPU (utime + stime from /proc/<pid>/stat) while a quiet solver sleeps.
 * Run: npx tsx scripts/bench/latency.ts [lines, default 10] [quiet seconds, default 30]
 * (runs dist/: `npm run build` first)
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { DEFAULT_TUNING } from "../../src/options.js";
import {
  benchTempDir,
  buildNote,
  cpuSeconds,
  expectFinished,
  fmt,
  machineNote,
  prepareRun,
  sleep,
  startBenchServer,
  startRunner,
  waitFor,
  type BenchServer,
} from "./lib/bench-run.js";

const args = process.argv.slice(2).map(Number);
const LINES = args[0] || 10;
const QUIET_S = args[1] || 30;
/** Gaps before each line, in ms: some longer than the live interval, some inside it. */
const GAPS = [2000, 250, 600, 2000, 100, 1200, 400, 2000, 850, 1500];
const TAIL_MS = 2500;
const POLL_MS = 10;
const LIVE_INTERVAL_MS = DEFAULT_TUNING.liveIntervalMs;
const TARGET_LATENCY_MS = LIVE_INTERVAL_MS + 500;
const TARGET_CPU_PERCENT = 2;
const WARM_UP_MS = 2000;

/** Appends "mark <i>" to logs/x.log after each gap and closes it, then records (i, time of the append) in BENCH_MARKS_FILE. */
const LIVE_SOLVER = `import argparse, os, time
parser = argparse.ArgumentParser()
parser.add_argument("--outputsPath")
args, _ = parser.parse_known_args()
log = os.path.join(args.outputsPath, "logs", "x.log")
os.makedirs(os.path.dirname(log), exist_ok=True)
gaps = [float(g) / 1000 for g in os.environ["BENCH_GAPS_MS"].split(",")]
for i, gap in enumerate(gaps):
    time.sleep(gap)
    # Read just before the append: open, write and close take microseconds, and a clock read after the
    # close could come late (the solver descheduled on a busy machine) and make a figure too small.
    closed = time.time() * 1000
    with open(log, "a") as f:
        f.write("mark %d\\n" % i)
    with open(os.environ["BENCH_MARKS_FILE"], "a") as f:
        f.write("%d %r\\n" % (i, closed))
time.sleep(float(os.environ["BENCH_TAIL_MS"]) / 1000)
`;

/** Records when it starts sleeping, then sleeps BENCH_SLEEP_S seconds without a word. */
const QUIET_SOLVER = `import os, time
with open(os.environ["BENCH_START_FILE"], "w") as f:
    f.write(repr(time.time() * 1000))
time.sleep(float(os.environ["BENCH_SLEEP_S"]))
`;

/** The server's stored copy of outputs/<path> for the one run it holds, once its file record exists (read in-process). */
async function storedFile(server: BenchServer, path: string): Promise<string | undefined> {
  const runId = await server.runId();
  if (!runId) return undefined;
  return (await server.server.store.files(runId)).find((f) => f.path === path)?.file;
}

interface Mark {
  index: number;
  gapMs: number;
  closedAt: number;
  arrivedAt: number;
}

async function liveLatency(root: string): Promise<Mark[]> {
  const server = await startBenchServer(root, true);
  try {
    const gaps = Array.from({ length: LINES }, (_, i) => GAPS[i % GAPS.length] as number);
    const marksFile = join(root, "marks");
    const run = await prepareRun(root, server, LIVE_SOLVER, {
      BENCH_GAPS_MS: gaps.join(","),
      BENCH_MARKS_FILE: marksFile,
      BENCH_TAIL_MS: String(TAIL_MS),
    });
    const runner = startRunner(run.configPath);
    let done = false;
    const arrived = new Map<number, number>();
    const poll = (async () => {
      let stored: string | undefined;
      while (!done) {
        stored ??= await storedFile(server, "logs/x.log");
        if (stored) {
          const text = await readFile(stored, "utf8").catch(() => "");
          const now = Date.now();
          // Complete lines only: an append may be under way.
          for (const line of text.split("\n").slice(0, -1)) {
            const index = Number(/^mark (\d+)$/.exec(line)?.[1] ?? NaN);
            if (Number.isInteger(index) && !arrived.has(index)) arrived.set(index, now);
          }
        }
        await sleep(POLL_MS);
      }
    })();
    const exit = await runner.exited;
    done = true;
    await poll;
    await expectFinished(exit, run, "live latency run");
    const closed = (await readFile(marksFile, "utf8"))
      .trim()
      .split("\n")
      .map((line) => line.split(" ").map(Number) as [number, number]);
    return closed.map(([index, closedAt]) => {
      const arrivedAt = arrived.get(index);
      if (arrivedAt === undefined) throw new Error(`mark ${index} never reached the server`);
      return { index, gapMs: gaps[index] as number, closedAt, arrivedAt };
    });
  } finally {
    await server.close();
  }
}

interface IdleFigure {
  cpuS: number;
  wallS: number;
  requests: Record<string, number>;
}

async function idleCpu(root: string): Promise<IdleFigure> {
  const server = await startBenchServer(root, true);
  try {
    const startFile = join(root, "quiet-start");
    const run = await prepareRun(root, server, QUIET_SOLVER, { BENCH_START_FILE: startFile, BENCH_SLEEP_S: String(QUIET_S) });
    const runner = startRunner(run.configPath, { limitMs: (QUIET_S + 120) * 1000 });
    const sleepsFrom = await waitFor(
      async () => {
        const text = await readFile(startFile, "utf8").catch(() => "");
        return text ? Number(text) : undefined;
      },
      60_000,
      "the quiet solver to start",
    ).catch(async (error: unknown) => {
      runner.stop();
      await runner.exited;
      throw error;
    });
    // Past the solver's start (status updates, first appends), up to a second before its end.
    await sleep(Math.max(0, sleepsFrom + WARM_UP_MS - Date.now()));
    const cpu0 = await cpuSeconds(runner.pid);
    const wall0 = performance.now();
    const from = Date.now();
    await sleep(Math.max(0, sleepsFrom + QUIET_S * 1000 - 1000 - Date.now()));
    const cpu1 = await cpuSeconds(runner.pid);
    const wall1 = performance.now();
    const to = Date.now();
    const exit = await runner.exited;
    await expectFinished(exit, run, "quiet run");
    // What the runner sent while it sat there: the server's request log, by route.
    const requests: Record<string, number> = {};
    for (const line of (await readFile(join(server.dataDir, "requests.jsonl"), "utf8")).split("\n").filter(Boolean)) {
      const r = JSON.parse(line) as { at: string; method: string; path: string };
      const at = Date.parse(r.at);
      if (at < from || at > to) continue;
      const route = `${r.method} ${r.path.split("/").slice(0, 4).join("/")}`;
      requests[route] = (requests[route] ?? 0) + 1;
    }
    return { cpuS: cpu1 - cpu0, wallS: (wall1 - wall0) / 1000, requests };
  } finally {
    await server.close();
  }
}

async function main(): Promise<void> {
  const note = buildNote();
  const temp = await benchTempDir("latency");
  try {
    const marks = await liveLatency(temp.dir);
    const idle = await idleCpu(temp.dir);

    const latencies = marks.map((m) => Math.round(m.arrivedAt - m.closedAt));
    const sorted = [...latencies].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] as number;
    const max = sorted[sorted.length - 1] as number;
    const spaced = marks.filter((m) => m.gapMs > LIVE_INTERVAL_MS).map((m) => Math.round(m.arrivedAt - m.closedAt));
    const percent = (idle.cpuS / idle.wallS) * 100;

    console.log("latency: live appends and the idle runner, against the reference server (v2, socket.io)");
    console.log(`  ${note}`);
    console.log(`  ${machineNote()}`);
    console.log(`  (a) measured: solver appends a line to outputs/logs/x.log and closes it (time read just before) → the line is in`);
    console.log(`      the server's stored copy (polled every ${POLL_MS} ms from DATA/runs/<run>/files/). Live interval (tuning.liveIntervalMs,`);
    console.log(`      default) ${LIVE_INTERVAL_MS} ms; gaps before the lines vary so that some fall inside it.`);
    console.log("");
    console.log("      line   gap before   close → on the server");
    for (const m of marks) {
      console.log(`      ${String(m.index).padStart(4)}   ${`${m.gapMs} ms`.padStart(10)}   ${`${Math.round(m.arrivedAt - m.closedAt)} ms`.padStart(10)}`);
    }
    console.log(
      `      median ${median} ms, max ${max} ms; lines after a gap longer than the interval: ` +
        `${spaced.length ? `median ${[...spaced].sort((a, b) => a - b)[Math.floor(spaced.length / 2)]} ms, max ${Math.max(...spaced)} ms` : "none"}`,
    );
    console.log(`      target: every line within live interval + 0.5 s = ${TARGET_LATENCY_MS} ms: max ${max} ms — ${fmt.ok(max <= TARGET_LATENCY_MS)}`);
    console.log("");
    console.log(`  (b) measured: utime + stime of the runner process (/proc/<pid>/stat) over ${idle.wallS.toFixed(1)} s while the solver sleeps`);
    console.log(`      ${QUIET_S} s in silence (from ${WARM_UP_MS / 1000} s after it started to 1 s before it ends)`);
    console.log(`      runner CPU ${idle.cpuS.toFixed(2)} s in ${idle.wallS.toFixed(1)} s = ${percent.toFixed(2)} % of one core`);
    const sent = Object.entries(idle.requests).map(([route, n]) => `${route} ×${n}`);
    console.log(`      HTTP requests it made meanwhile: ${sent.length ? sent.join(", ") : "none"}`);
    console.log(`      target < ${TARGET_CPU_PERCENT} % of one core: ${fmt.ok(percent < TARGET_CPU_PERCENT)}`);
  } finally {
    await temp.cleanup();
  }
}

await main();
