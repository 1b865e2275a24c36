/**
 * What `sweep run --scheduler slurm` and `sweep status` make of SLURM's answers when SLURM is not
 * well: a controller that does not answer, accounting that lags behind it. Those cannot be had from
 * the real single-node cluster on demand (test/integration/sweep-slurm.test.ts runs against it for
 * the rest), so squeue, sacct, scontrol and sbatch are small scripts first on PATH, each answering
 * what the test writes for it and logging its call.
 */
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { WorkDirBusyError } from "../../src/errors.js";
import { loadSweep } from "../../src/sweep/index.js";
import { slurmTaskStates } from "../../src/sweep/slurm-job.js";
import { addSlurmJob } from "../../src/sweep/slurm-jobs-record.js";
import { submitSweepToSlurm } from "../../src/sweep/submit-slurm.js";
import { sweepStatus } from "../../src/sweep/sweep-status.js";
import { sweepPaths } from "../../src/sweep/sweep-paths.js";
import { takeSubmitLock } from "../../src/sweep/submit-lock.js";

let dir: string;
let bin: string;
const savedPath = process.env.PATH;

/** `name` prints `out` (stdout), `err` (stderr) and exits `code`; every call is logged to calls.log. */
async function fake(name: string, answer: { out?: string; err?: string; code?: number }): Promise<void> {
  const script = `#!/bin/sh
echo "${name} $*" >> ${JSON.stringify(join(dir, "calls.log"))}
printf '%b' ${JSON.stringify(answer.out ?? "")}
printf '%b' ${JSON.stringify(answer.err ?? "")} >&2
exit ${answer.code ?? 0}
`;
  await writeFile(join(bin, name), script);
  await chmod(join(bin, name), 0o755);
}

const calls = async () => (await readFile(join(dir, "calls.log"), "utf8").catch(() => "")).trim().split("\n").filter(Boolean);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pws-slurm-answers-"));
  bin = join(dir, "bin");
  await mkdir(bin);
  process.env.PATH = `${bin}:${savedPath}`;
});
afterAll(async () => {
  process.env.PATH = savedPath;
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await rm(join(dir, "calls.log"), { force: true });
  await fake("squeue", {});
  await fake("sacct", {});
  await fake("scontrol", {});
  await fake("sbatch", { out: "99\n" });
});

describe("slurmTaskStates", () => {
  it("takes an active state from the controller only: a RUNNING that sacct alone still shows is stale, its ended states are kept", async () => {
    await fake("squeue", { out: "7_1|PENDING\n" });
    await fake("sacct", { out: "7_0|RUNNING\n7_2|COMPLETED\n7_1|PENDING\n" });
    const { states, problem } = await slurmTaskStates("7");
    expect(problem).toBeUndefined();
    expect([...states].sort()).toEqual([[1, "PENDING"], [2, "COMPLETED"]]);
  });

  it("a job the controller has forgotten is no problem; a controller that does not answer is", async () => {
    await fake("squeue", { err: "slurm_load_jobs error: Invalid job id specified\n", code: 1 });
    expect((await slurmTaskStates("7")).problem).toBeUndefined();
    await fake("squeue", { err: "slurm_load_jobs error: Socket timed out on send/recv operation\n", code: 1 });
    expect((await slurmTaskStates("7")).problem).toMatch(/^cannot ask SLURM about job 7 \(squeue exited 1: slurm_load_jobs error: Socket timed out/);
  });
});

describe("a submission when SLURM does not answer", () => {
  async function sweepWithJob() {
    const root = await mkdtemp(join(dir, "sweep-"));
    await mkdir(join(root, "solver"));
    await writeFile(join(root, "solver", "main.sh"), "echo hi\n");
    const specPath = join(root, "s.yaml");
    await writeFile(specPath, "base: {mainScript: main.sh}\nscripts: ./solver\nroot: ./out\nparameters:\n  x: [1, 2]\n");
    const { spec, points } = await loadSweep(specPath);
    await mkdir(spec.root, { recursive: true });
    await addSlurmJob(sweepPaths(spec).slurmJob, { jobId: "7", submittedAt: "2026-12-03T10:00:00.000Z", script: "x", dirs: points.map((p) => p.dir) });
    return { spec, points };
  }

  it("submits nothing and says why (exit 3), rather than submit points SLURM may still run", async () => {
    const { spec, points } = await sweepWithJob();
    await fake("squeue", { err: "slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n", code: 1 });
    const error = await submitSweepToSlurm({ spec, points }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^cannot ask SLURM about job 7 .*connect failure.*: without SLURM's answer, points it still runs would be submitted twice; try again when squeue answers$/);
    expect((error as { exitCode?: number }).exitCode).toBe(3);
    expect((await calls()).filter((c) => c.startsWith("sbatch"))).toEqual([]);
  });

  it("sweep status shows the runs and warns", async () => {
    const { spec, points } = await sweepWithJob();
    await fake("squeue", { err: "slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n", code: 1 });
    const status = await sweepStatus(spec, points);
    expect(status.states.map((s) => s.status)).toEqual(["pending", "pending"]);
    expect(status.warnings).toEqual([expect.stringMatching(/^cannot ask SLURM about job 7 /)]);
    // A damaged record costs the SLURM column only.
    await writeFile(sweepPaths(spec).slurmJob, "{ torn");
    const damaged = await sweepStatus(spec, points);
    expect(damaged.states).toHaveLength(2);
    expect(damaged.warnings).toEqual([expect.stringContaining("sweep-slurm.json: not JSON")]);
  });

  it("warns of folders an edited spec no longer has that SLURM still runs; a script that cannot be kept leaves the job recorded", async () => {
    const { spec, points } = await sweepWithJob();
    const paths = sweepPaths(spec);
    // An earlier job ran a folder of the spec before it was edited: its task 0 runs still.
    await addSlurmJob(paths.slurmJob, { jobId: "8", submittedAt: "2026-12-03T10:05:00.000Z", script: "y", dirs: ["5-0ld0ld00"] });
    await fake("squeue", { out: "8_0|RUNNING\n" });
    await fake("scontrol", {});
    // A folder where the job's copy of its script would go.
    await mkdir(join(paths.slurmLogs, "99.sbatch"), { recursive: true });
    const done = await submitSweepToSlurm({ spec, points });
    expect(done.jobId).toBe("99");
    expect(done.warnings).toEqual([
      expect.stringMatching(/^SLURM still runs 1 folder\(s\) of this sweep that the spec no longer has: 5-0ld0ld00 \(job 8, RUNNING\); was the spec edited/),
      expect.stringMatching(new RegExp(`^job 99's script could not be kept in ${paths.slurmLogs} .*; ${paths.slurmScript} is it until the next submission$`)),
    ]);
    expect(done.script).toBe(paths.slurmScript);
    const record = JSON.parse(await readFile(paths.slurmJob, "utf8")) as { jobs: { jobId: string; script: string }[] };
    expect(record.jobs.at(-1)).toMatchObject({ jobId: "99", script: paths.slurmScript });
    expect((await sweepStatus(spec, points)).warnings).toEqual([expect.stringMatching(/^SLURM still runs 1 folder/)]);
  });

  it("sweep status shows a point SLURM runs as running, and one it queues again as pending, not its earlier run's error", async () => {
    const { spec, points } = await sweepWithJob();
    // Point 1 failed before and was submitted again: its old run.json says error.
    const runJson = sweepPaths(spec).runJson(points[1]!);
    await mkdir(join(runJson, ".."), { recursive: true });
    await writeFile(runJson, JSON.stringify({ status: "error", error: { code: "solver", message: "boom" } }));
    await fake("squeue", { out: "7_0|RUNNING\n7_1|PENDING\n" });
    const status = await sweepStatus(spec, points);
    expect(status.states.map((s) => s.status)).toEqual(["running", "pending"]);
    expect([...status.slurm.values()]).toEqual(["RUNNING", "PENDING"]);
  });

  it("a second submission while one is under way is refused (exit 2), naming the lock", async () => {
    const { spec, points } = await sweepWithJob();
    const paths = sweepPaths(spec);
    const held = await takeSubmitLock(spec);
    try {
      const error = await submitSweepToSlurm({ spec, points, dryRun: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkDirBusyError);
      expect((error as Error).message).toMatch(new RegExp(`^the sweep root ${paths.root} is in use by a sweep submission of physicsworks-solve .* \\(lock file ${paths.submitLock}\\)`));
    } finally {
      await held.release();
    }
    // Once it is released, the next one goes on.
    await fake("squeue", { err: "slurm_load_jobs error: Invalid job id specified\n", code: 1 });
    const done = await submitSweepToSlurm({ spec, points });
    expect(done.jobId).toBe("99");
    expect(done.script).toBe(join(paths.slurmLogs, "99.sbatch"));
    expect(await readFile(done.script, "utf8")).toContain("points=(");
  });
});
