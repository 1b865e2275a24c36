import { spawnSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { sweepRunCommand, sweepStatusCommand } from "../../src/cli/sweep-command.js";
import type { RunResult } from "../../src/run-result.js";
import { loadSweep } from "../../src/sweep/index.js";
import { REPO_ROOT, useTempWorks } from "../helpers/work-dir.js";

/**
 * Against a real single-node SLURM cluster (scripts/slurm/setup-single-node.sh, which CI runs).
 * Where sinfo does not answer and CI is unset, these tests are skipped, loudly; in CI they run and fail.
 */
function slurmTestGate(): { skip: boolean } {
  const probe = spawnSync("sinfo", ["--noheader", "--format=%T"], { encoding: "utf8", timeout: 10_000 });
  if (!probe.error && probe.status === 0 && probe.stdout.trim()) return { skip: false };
  if (process.env.CI) return { skip: false };
  console.warn(
    `\n${"!".repeat(78)}\n!! SKIPPING the SLURM sweep tests: sinfo does not answer (${probe.error?.message ?? (probe.stderr.trim() || `exit ${probe.status}`)}).\n` +
      `!! Start a one-node cluster as root with scripts/slurm/setup-single-node.sh (stop it with scripts/slurm/stop.sh).\n` +
      `!! In CI (CI set) these tests run and fail instead.\n${"!".repeat(78)}\n`,
  );
  return { skip: true };
}

const gate = slurmTestGate();
const temps = useTempWorks();

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

async function submit(specPath: string): Promise<string> {
  const out = collect();
  const err = collect();
  const code = await sweepRunCommand(specPath, { scheduler: "slurm" }, new AbortController().signal, { out: out.stream, err: err.stream });
  expect(code, err.text()).toBe(0);
  const jobId = out.text().trim();
  expect(jobId).toMatch(/^\d+$/);
  return jobId;
}

/** Until the job has left squeue. */
async function waitForJob(jobId: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const q = spawnSync("squeue", ["--noheader", "-j", jobId], { encoding: "utf8" });
    if (q.status === 0 && !q.stdout.trim()) return;
    // An unknown job id (it has left the queue long ago) is an error to squeue: that is done too.
    if (q.status !== 0 && /Invalid job id/i.test(q.stderr)) return;
    await sleep(1000);
  }
  spawnSync("scancel", [jobId]);
  throw new Error(`SLURM job ${jobId} still queued or running after ${timeoutMs / 1000} s:\n${spawnSync("squeue", [], { encoding: "utf8" }).stdout}`);
}

describe.skipIf(gate.skip)("sweep on a real SLURM cluster", () => {
  it("a 6-point sweep as a job array ends with 6 finished runs and the results table", { timeout: 150_000 }, async () => {
    const dir = await temps.tempDir("pw-sweep-slurm-");
    const specPath = join(dir, "heat.yaml");
    await writeFile(
      specPath,
      `base: ${join(REPO_ROOT, "examples/heat1d/config.json")}
root: ./out
parameters:
  alpha: [1.0e-4, 2.0e-4]
  nx: {from: 21, to: 61, step: 20}
  t_end: 20
  slow: 0
slurm: {partition: debug, time: "00:05:00", cpus: 1, memory: 200M, maxParallel: 2}
`,
    );
    const jobId = await submit(specPath);
    await waitForJob(jobId, 120_000);

    const out = collect();
    expect(await sweepStatusCommand(specPath, { json: true }, { out: out.stream, err: out.stream })).toBe(0);
    const status = JSON.parse(out.text()) as { jobId: string; points: Record<string, unknown>[] };
    expect(status.jobId).toBe(jobId);
    expect(status.points.map((p) => p.status)).toEqual(Array(6).fill("finished"));
    expect(status.points.map((p) => p.nx)).toEqual([21, 41, 61, 21, 41, 61]);
    for (const p of status.points) expect(p.mid_temperature).toBeGreaterThan(20);

    const csv = (await readFile(join(dir, "out", "sweep-results.csv"), "utf8")).trim().split("\n");
    expect(csv).toHaveLength(7);
    expect(csv[0]).toMatch(/^index,dir,alpha,nx,t_end,slow,status,slurm,duration_s,max_temperature,/);
    // Each array task's log names its point.
    const { points } = await loadSweep(specPath);
    const log = await readFile(join(dir, "out", "slurm-logs", `${jobId}_3.out`), "utf8");
    expect(log).toContain(`runs/${points[3]!.dir}`);

    // Resume: nothing left to submit.
    const again = collect();
    expect(await sweepRunCommand(specPath, { scheduler: "slurm" }, new AbortController().signal, { out: again.stream, err: again.stream })).toBe(0);
    expect(again.text()).toMatch(/nothing to submit/);
  });

  it("a second submission leaves the points an earlier job still runs to it, and sends only the failed one", { timeout: 150_000 }, async () => {
    const dir = await temps.tempDir("pw-sweep-again-");
    await mkdir(join(dir, "solver"));
    const ran = join(dir, "ran.txt");
    // Point a fails the first time; b takes 10 s, so that c is still pending (one task at a time)
    // when the sweep is submitted again.
    await writeFile(
      join(dir, "solver", "main.sh"),
      `for arg in "$@"; do case "$arg" in --case=*) c="\${arg#--case=}";; esac; done
echo "$c" >> ${JSON.stringify(ran)}
if [ "$c" = a ] && [ ! -e ${JSON.stringify(join(dir, "a-failed"))} ]; then touch ${JSON.stringify(join(dir, "a-failed"))}; exit 1; fi
if [ "$c" = b ]; then sleep 10; fi
`,
    );
    const specPath = join(dir, "again.yaml");
    await writeFile(
      specPath,
      `base: {mainScript: main.sh}
scripts: ./solver
root: ./out
parameters:
  case: [a, b, c]
slurm: {time: "00:05:00", maxParallel: 1}
`,
    );
    const { points } = await loadSweep(specPath);
    const first = await submit(specPath);
    // Until point a has failed: b runs or is about to, c waits.
    const aRun = join(dir, "out", "runs", points[0]!.dir, "debug", "run.json");
    for (const deadline = Date.now() + 60_000; !(await readFile(aRun, "utf8").catch(() => "")); ) {
      if (Date.now() > deadline) throw new Error("point a never ended");
      await sleep(250);
    }
    // And until SLURM has let its task go: a task still COMPLETING counts as under way (CI saw
    // "1 COMPLETING, 2 PENDING": nothing was submitted again).
    for (const deadline = Date.now() + 30_000; ; ) {
      const q = spawnSync("squeue", ["--noheader", "-j", first, "-o", "%K %T"], { encoding: "utf8" });
      if (!/^0 /m.test(q.stdout)) break;
      if (Date.now() > deadline) throw new Error(`point a's SLURM task never left the queue:\n${q.stdout}`);
      await sleep(250);
    }
    const again = collect();
    const againErr = collect();
    expect(await sweepRunCommand(specPath, { scheduler: "slurm" }, new AbortController().signal, { out: again.stream, err: againErr.stream })).toBe(0);
    const second = again.text().trim();
    expect(second, againErr.text()).toMatch(/^\d+$/);
    expect(second).not.toBe(first);
    expect(againErr.text()).toMatch(new RegExp(`2 of 3 points are still queued or running in SLURM \\(job ${first}: .*\\), not submitted again`));
    expect(againErr.text()).toContain("submitted 1 point as job array");
    await waitForJob(first, 120_000);
    await waitForJob(second, 60_000);

    // Each point ran where it should: b and c once (c by the first job's own list), a twice.
    expect((await readFile(ran, "utf8")).trim().split("\n").sort()).toEqual(["a", "a", "b", "c"]);
    const out = collect();
    expect(await sweepStatusCommand(specPath, { json: true }, { out: out.stream, err: out.stream })).toBe(0);
    const status = JSON.parse(out.text()) as { jobId: string; jobIds: string[]; points: Record<string, unknown>[] };
    expect(status.jobIds).toEqual([first, second]);
    expect(status.points.map((p) => [p.case, p.status, p.slurm])).toEqual([
      ["a", "finished", "COMPLETED"],
      ["b", "finished", "COMPLETED"],
      ["c", "finished", "COMPLETED"],
    ]);
    const log = await readFile(join(dir, "out", "slurm-logs", `${second}_0.out`), "utf8");
    expect(log).toContain(`runs/${points[0]!.dir}`);
  });

  it("a point past its wall time gets SIGTERM first, and its partial outputs are recorded", { timeout: 150_000 }, async () => {
    const dir = await temps.tempDir("pw-sweep-walltime-");
    await mkdir(join(dir, "solver"));
    await writeFile(
      join(dir, "solver", "main.sh"),
      `mkdir -p "$PHYSICSWORKS_OUTPUTS_DIR/files"
echo "partial result, step 1" > "$PHYSICSWORKS_OUTPUTS_DIR/files/partial.txt"
echo "50% halfway" >> "$PHYSICSWORKS_OUTPUTS_DIR/state.txt"
sleep 600
echo "never reached" > "$PHYSICSWORKS_OUTPUTS_DIR/files/final.txt"
`,
    );
    const specPath = join(dir, "slow.yaml");
    // A 1-minute wall time with TERM 45 s before it: the runner is told ~15 s in (SLURM checks
    // time limits about every 30 s, so up to ~45 s), long before the SIGKILL at the wall time.
    await writeFile(
      specPath,
      `base: {mainScript: main.sh, grace: 5s}
scripts: ./solver
root: ./out
parameters:
  case: [slow]
slurm: {time: "00:01:00", signal: "B:TERM@45"}
`,
    );
    const started = Date.now();
    const jobId = await submit(specPath);
    await waitForJob(jobId, 130_000);
    const { points } = await loadSweep(specPath);
    const runDir = join(dir, "out", "runs", points[0]!.dir);
    const result = JSON.parse(await readFile(join(runDir, "debug", "run.json"), "utf8")) as RunResult;
    expect(result.status).toBe("error");
    expect(result.exitCode).toBe(143);
    expect(result.error?.message).toMatch(/SIGTERM/);
    expect(result.outputs.map((o) => o.path)).toContain("files/partial.txt");
    expect(result.outputs.map((o) => o.path)).not.toContain("files/final.txt");
    expect(await readFile(join(runDir, "outputs", "files", "partial.txt"), "utf8")).toContain("partial result");
    // It ended by the runner's own hand, before the wall time.
    expect(result.durationMs).toBeLessThan(60_000);
    expect(Date.now() - started).toBeLessThan(120_000);
  });
});
