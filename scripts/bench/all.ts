/**
 * Runs every benchmark in scripts/bench/ (each one its own process, one after the other, so they
 * do not disturb each other), at sizes small enough that the whole takes under 15 minutes on a
 * 2-core machine yet large enough that each figure means something, and writes BENCHMARKS.md at
 * the repository root: per benchmark its target, what it printed, how long it took; the date and
 * the machine. A benchmark added later without an entry below runs with its own defaults.
 * Run: npx tsx scripts/bench/all.ts [--only=upload,latency] [--out=BENCHMARKS.md]
 * (the benchmarks run dist/: `npm run build` first)
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BENCH_DIR = join(ROOT, "scripts/bench");

interface Plan {
  args: string[];
  /** What the figure must reach; the benchmark itself says OK or not where it knows. */
  target: string;
  /** Sized down from the benchmark's default, and why. */
  sizing: string;
  timeoutMs: number;
}

const PLANS: Record<string, Plan> = {
  "cli-startup": { args: ["15"], target: "`--version` within a few tens of ms of `node -e 0` (ratio reported)", sizing: "15 runs each", timeoutMs: 120_000 },
  latency: { args: ["10", "15"], target: "every live line on the server within live interval + 0.5 s; idle runner < 2 % of one core", sizing: "10 lines, 15 s of silence (default 30 s)", timeoutMs: 180_000 },
  "many-files": { args: ["10000", "2048"], target: "≥ 500 files/s uploaded end to end", sizing: "10,000 files of 2 KiB (the default)", timeoutMs: 240_000 },
  upload: { args: ["256MiB"], target: "v2 ≥ 0.7 and v1 ≥ 0.4 of a plain HTTP PUT; runner peak RSS < 200 MB", sizing: "256 MiB (default 1 GiB), median of 3 runs each", timeoutMs: 300_000 },
  "unpack-memory": { args: ["0.5"], target: "peak RSS < 200 MB whatever the archive's size", sizing: "0.5 GiB uncompressed (default 3 GiB)", timeoutMs: 180_000 },
  "read-buffer": { args: ["512"], target: "file reads into the runner's 1 MiB buffers as fast as into 64 KiB ones (ratio reported; no fixed target)", sizing: "512 MiB (the default)", timeoutMs: 120_000 },
  "shared-copy": { args: [], target: "copyBytes into shared memory at memcpy speed, where Buffer.copy is V8's relaxed copy (ratio reported; no fixed target)", sizing: "its defaults (256 MiB, 7 passes)", timeoutMs: 120_000 },
  queue: { args: ["60"], target: "queue overhead per run (no fixed target; compared with direct runs)", sizing: "60 runs (default 200); needs nats-server on PATH", timeoutMs: 180_000 },
};
const DEFAULT_PLAN: Plan = { args: [], target: "(see the benchmark's header)", sizing: "its defaults", timeoutMs: 300_000 };

interface Outcome {
  name: string;
  plan: Plan;
  code: number | null;
  ms: number;
  output: string;
}

function runBench(name: string, plan: Plan): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(BENCH_DIR, `${name}.ts`), ...plan.args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const take = (d: Buffer) => {
      output += d.toString();
      process.stdout.write(d);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    const timer = setTimeout(() => {
      output += `\n(stopped after ${plan.timeoutMs / 1000} s)\n`;
      child.kill("SIGKILL");
    }, plan.timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ name, plan, code, ms: Date.now() - started, output });
    });
  });
}

function machine(): string {
  const cpuinfo = (() => {
    try {
      return readFileSync("/proc/cpuinfo", "utf8");
    } catch {
      return "";
    }
  })();
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? "unknown";
  return `${model}, ${cpus().length} cores, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB memory, Node ${process.version}, ${process.platform} ${process.arch}`;
}

async function main(): Promise<void> {
  const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7).split(",");
  const out = process.argv.find((a) => a.startsWith("--out="))?.slice(6) ?? join(ROOT, "BENCHMARKS.md");
  const names = readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith(".ts") && f !== basename(fileURLToPath(import.meta.url)))
    .map((f) => f.slice(0, -3))
    .filter((n) => !only || only.includes(n))
    .sort();
  const started = new Date();
  const outcomes: Outcome[] = [];
  for (const name of names) {
    const plan = PLANS[name] ?? DEFAULT_PLAN;
    console.log(`\n=== ${name} ${plan.args.join(" ")}`);
    outcomes.push(await runBench(name, plan));
  }
  const total = outcomes.reduce((s, o) => s + o.ms, 0);
  const lines = [
    "# Benchmarks",
    "",
    `Written by \`npx tsx scripts/bench/all.ts\` on ${started.toISOString().slice(0, 10)} (${started.toISOString()}), ${(total / 1000).toFixed(0)} s in all.`,
    "",
    `Machine: ${machine()}.`,
    "",
    "Sizes are reduced from each benchmark's defaults so that the whole runs in minutes; run one",
    "benchmark alone (`npx tsx scripts/bench/<name>.ts`, arguments in its header) for the full size.",
    "",
    "| benchmark | target | size | time | result |",
    "|---|---|---|---|---|",
    ...outcomes.map((o) => {
      const verdict = o.code !== 0 ? `failed (exit ${o.code})` : /OVER TARGET|MISSES target|\bFAIL/.test(o.output) ? "ran, a target missed (see below)" : "ran";
      return `| [${o.name}](#${o.name}) | ${o.plan.target} | ${o.plan.sizing} | ${(o.ms / 1000).toFixed(0)} s | ${verdict} |`;
    }),
    "",
    ...outcomes.flatMap((o) => [
      `## ${o.name}`,
      "",
      `\`${["npx tsx", `scripts/bench/${o.name}.ts`, ...o.plan.args].join(" ")}\` — target: ${o.plan.target}.`,
      "",
      "```",
      o.output.trimEnd(),
      "```",
      "",
    ]),
  ];
  writeFileSync(out, `${lines.join("\n")}`);
  console.log(`\nwrote ${out} (${outcomes.length} benchmarks, ${(total / 1000).toFixed(0)} s)`);
  if (outcomes.some((o) => o.code !== 0)) process.exitCode = 1;
}

await main();
