import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { activeTasksLine } from "../../src/sweep/active-tasks-line.js";
import { parseTaskLines, taskIds } from "../../src/sweep/slurm-job.js";
import { addSlurmJob, readSlurmJobs } from "../../src/sweep/slurm-jobs-record.js";
import { slurmScript } from "../../src/sweep/slurm-script.js";
import { isActiveSlurmState } from "../../src/sweep/slurm-job.js";

const temps: string[] = [];
afterAll(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "pws-sweep-slurm-"));
  temps.push(dir);
  return dir;
}

describe("slurmScript", () => {
  const input = {
    slurm: { partition: "debug", time: "00:05:00", cpus: 2, memory: "500M", maxParallel: 3, signal: "B:TERM@60", extra: ["--exclusive"] },
    jobName: "sweep-heat",
    dirs: ["0-aa", "1-bb", "2-cc", "3-dd", "4-ee", "5-ff"],
    runsDir: "/scratch/s/runs",
    logsDir: "/scratch/s/slurm-logs",
    node: "/opt/node 20/bin/node",
    cli: "/opt/pw/bin/physicsworks-solve.js",
    specPath: "/scratch/s.yaml",
  };
  it("is a job array with the spec's resources and an early SIGTERM, and execs the runner", () => {
    const script = slurmScript(input);
    const directives = script.split("\n").filter((l) => l.startsWith("#SBATCH "));
    expect(directives).toEqual([
      "#SBATCH --job-name=sweep-heat",
      "#SBATCH --array=0-5%3",
      "#SBATCH --output=/scratch/s/slurm-logs/%A_%a.out",
      "#SBATCH --signal=B:TERM@60",
      "#SBATCH --partition=debug",
      "#SBATCH --time=00:05:00",
      "#SBATCH --cpus-per-task=2",
      "#SBATCH --mem=500M",
      "#SBATCH --exclusive",
    ]);
    expect(script.startsWith("#!/bin/bash\n")).toBe(true);
    expect(script).toContain("points=(\n  0-aa\n  1-bb\n  2-cc\n  3-dd\n  4-ee\n  5-ff\n)\n");
    expect(script).toContain(`exec '/opt/node 20/bin/node' /opt/pw/bin/physicsworks-solve.js --configPath="$runs/$dir/config.json"`);
  });
  it("leaves out what the spec does not set; no %N without maxParallel", () => {
    const script = slurmScript({ ...input, slurm: { signal: "B:TERM@60", extra: [] }, dirs: ["0-aa"] });
    expect(script).toContain("#SBATCH --array=0-0\n");
    expect(script).not.toMatch(/--partition|--time|--mem|--cpus/);
  });
});

describe("the script run by bash, as an array task", () => {
  it("runs its own list's point for each task, and stops with exit 2 for a task past the list", async () => {
    const root = await tempDir();
    const dirs = ["0-aa", "1-bb", "2-cc"];
    for (const dir of dirs) await mkdir(join(root, "runs", dir), { recursive: true });
    // /bin/echo stands for node: the script execs it with the CLI and the point's config.
    const script = slurmScript({ slurm: { signal: "B:TERM@60", extra: [] }, jobName: "t", dirs, runsDir: join(root, "runs"), logsDir: join(root, "logs"), node: "/bin/echo", cli: "CLI", specPath: "s.yaml" });
    await writeFile(join(root, "sweep.sbatch"), script);
    // A later submission rewrites the script's file: a task of the earlier job, which SLURM started from its own copy, is not affected.
    for (const [task, dir] of dirs.entries()) {
      const run = spawnSync("bash", ["-c", script], { env: { ...process.env, SLURM_ARRAY_TASK_ID: String(task) }, encoding: "utf8" });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain(`CLI --configPath=${join(root, "runs", dir, "config.json")}\n`);
    }
    const past = spawnSync("bash", ["-c", script], { env: { ...process.env, SLURM_ARRAY_TASK_ID: "3" }, encoding: "utf8" });
    expect(past.status).toBe(2);
    expect(past.stderr).toContain("no point for array task 3 (the script lists 3)");
  });
});

describe("sweep-slurm.json, the record of every submission", () => {
  it("adds each submission; reads an earlier version's one-record file as one submission", async () => {
    const root = await tempDir();
    const path = join(root, "sweep-slurm.json");
    expect(await readSlurmJobs(path)).toEqual([]);
    const first = { jobId: "7", submittedAt: "2026-12-03T10:00:00.000Z", script: "/s/sweep.sbatch", dirs: ["0-aa", "1-bb"] };
    await writeFile(path, JSON.stringify(first));
    expect(await readSlurmJobs(path)).toEqual([first]);
    const second = { ...first, jobId: "9", dirs: ["1-bb"] };
    await addSlurmJob(path, second);
    expect(await readSlurmJobs(path)).toEqual([first, second]);
  });
  it("names the file when it is not a record", async () => {
    const root = await tempDir();
    const path = join(root, "sweep-slurm.json");
    await writeFile(path, "{ nope");
    await expect(readSlurmJobs(path)).rejects.toThrow(`${path}: not JSON`);
    await writeFile(path, JSON.stringify({ jobs: [{ jobId: 7 }] }));
    await expect(readSlurmJobs(path)).rejects.toThrow(`${path}: not a sweep's SLURM record`);
  });
});

describe("tasks still queued or running", () => {
  it("are those in any state but an ended one; a task SLURM forgot is not", () => {
    for (const state of ["PENDING", "RUNNING", "REQUEUED", "SUSPENDED", "CONFIGURING", "COMPLETING", "REQUEUE_HOLD"]) expect(isActiveSlurmState(state), state).toBe(true);
    for (const state of ["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", ""]) expect(isActiveSlurmState(state), state).toBe(false);
  });
  it("are counted by job and state in the line `sweep run` prints", () => {
    const point = (index: number) => ({ index, dir: `${index}-x`, hash: "x", parameters: {} });
    const line = activeTasksLine(
      [
        { point: point(0), task: { jobId: "12", task: 0, state: "RUNNING" } },
        { point: point(1), task: { jobId: "12", task: 1, state: "PENDING" } },
        { point: point(2), task: { jobId: "12", task: 2, state: "PENDING" } },
        { point: point(4), task: { jobId: "15", task: 0, state: "PENDING" } },
      ],
      6,
    );
    expect(line).toBe("4 of 6 points are still queued or running in SLURM (job 12: 1 RUNNING, 2 PENDING; job 15: 1 PENDING)");
  });
});

describe("SLURM answers", () => {
  it("reads squeue and sacct lines, expanding pending ranges and leaving out job steps", () => {
    const text = ["7_0|COMPLETED", "7_0.batch|COMPLETED", "7_1|CANCELLED by 0", "7_[2-4%2]|PENDING", "8_0|RUNNING", ""].join("\n");
    expect([...parseTaskLines(text, "7")]).toEqual([[0, "COMPLETED"], [1, "CANCELLED"], [2, "PENDING"], [3, "PENDING"], [4, "PENDING"]]);
    expect(taskIds("1,3-4")).toEqual([1, 3, 4]);
  });
});
