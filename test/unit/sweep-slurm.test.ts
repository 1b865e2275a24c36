import { describe, expect, it } from "vitest";
import { parseTaskLines, taskIds } from "../../src/sweep/slurm-job.js";
import { slurmScript } from "../../src/sweep/slurm-script.js";

describe("slurmScript", () => {
  const input = {
    slurm: { partition: "debug", time: "00:05:00", cpus: 2, memory: "500M", maxParallel: 3, signal: "B:TERM@60", extra: ["--exclusive"] },
    jobName: "sweep-heat",
    tasks: 6,
    pointsFile: "/scratch/s/sweep-slurm-points.txt",
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
    expect(script).toContain(`sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" /scratch/s/sweep-slurm-points.txt`);
    expect(script).toContain(`exec '/opt/node 20/bin/node' /opt/pw/bin/physicsworks-solve.js --configPath="$runs/$dir/config.json"`);
  });
  it("leaves out what the spec does not set; no %N without maxParallel", () => {
    const script = slurmScript({ ...input, slurm: { signal: "B:TERM@60", extra: [] }, tasks: 1 });
    expect(script).toContain("#SBATCH --array=0-0\n");
    expect(script).not.toMatch(/--partition|--time|--mem|--cpus/);
  });
});

describe("SLURM answers", () => {
  it("reads squeue and sacct lines, expanding pending ranges and leaving out job steps", () => {
    const text = ["7_0|COMPLETED", "7_0.batch|COMPLETED", "7_1|CANCELLED by 0", "7_[2-4%2]|PENDING", "8_0|RUNNING", ""].join("\n");
    expect([...parseTaskLines(text, "7")]).toEqual([[0, "COMPLETED"], [1, "CANCELLED"], [2, "PENDING"], [3, "PENDING"], [4, "PENDING"]]);
    expect(taskIds("1,3-4")).toEqual([1, 3, 4]);
  });
});
