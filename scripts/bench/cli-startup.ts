/**
 * Start-up cost of the CLI: `physicsworks-solve --version` against `node -e 0`, measured in the
 * same run, interleaved so that machine noise hits both alike. Prints medians and their ratio.
 * Run: npx tsx scripts/bench/cli-startup.ts [runs]
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const runs = Number(process.argv[2] ?? 30);
const cli = fileURLToPath(new URL("../../bin/physicsworks-solve.js", import.meta.url));

function time(args: string[]): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: "ignore" });
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const baseline: number[] = [];
const version: number[] = [];
time(["-e", "0"]);
time([cli, "--version"]);
for (let i = 0; i < runs; i++) {
  baseline.push(time(["-e", "0"]));
  version.push(time([cli, "--version"]));
}
const b = median(baseline);
const v = median(version);
console.log(`cli-startup: ${runs} runs each, medians`);
console.log(`  node -e 0                      ${b.toFixed(1)} ms`);
console.log(`  physicsworks-solve --version   ${v.toFixed(1)} ms`);
console.log(`  ratio                          ${(v / b).toFixed(2)}x`);
