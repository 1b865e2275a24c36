import { ConfigError } from "../errors.js";
import { shellQuote } from "../text/shell-quote.js";
import type { SlurmSpec } from "./spec-types.js";

export interface SlurmScriptInput {
  slurm: SlurmSpec;
  jobName: string;
  /**
   * The point folders (under runsDir) in array task order: task i runs dirs[i]. They are written
   * into the script, which sbatch keeps as it was submitted: a later submission of the same sweep
   * cannot change what this one's tasks run.
   */
  dirs: string[];
  /** <root>/runs */
  runsDir: string;
  logsDir: string;
  /** The node binary and bin/physicsworks-solve.js, absolute: array tasks do not share this shell's PATH. */
  node: string;
  cli: string;
  /** Where the script came from, for the reader of the script. */
  specPath: string;
}

/**
 * The sbatch script of a sweep: one array task per point. The runner is `exec`ed so that it *is*
 * the batch shell: `--signal=B:TERM@<s>` signals the batch shell only, and the runner must get
 * that SIGTERM itself to stop its solver, record the partial outputs and write run.json before
 * SLURM's SIGKILL at the wall time.
 */
export function slurmScript(input: SlurmScriptInput): string {
  const { slurm } = input;
  if (input.dirs.length < 1) throw new ConfigError("a SLURM array needs at least one point");
  for (const [what, path] of [["root", input.logsDir]] as const) {
    // #SBATCH lines are not parsed by a shell: a path with a space cannot be quoted there.
    if (/\s/.test(path)) throw new ConfigError(`${input.specPath}: ${what} must not contain spaces for --scheduler slurm (got ${JSON.stringify(path)})`);
  }
  const array = `0-${input.dirs.length - 1}${slurm.maxParallel ? `%${slurm.maxParallel}` : ""}`;
  const directives = [
    `--job-name=${input.jobName}`,
    `--array=${array}`,
    `--output=${input.logsDir}/%A_%a.out`,
    `--signal=${slurm.signal}`,
    ...(slurm.partition ? [`--partition=${slurm.partition}`] : []),
    ...(slurm.time ? [`--time=${slurm.time}`] : []),
    ...(slurm.cpus ? [`--cpus-per-task=${slurm.cpus}`] : []),
    ...(slurm.memory ? [`--mem=${slurm.memory}`] : []),
    ...slurm.extra,
  ];
  return `#!/bin/bash
${directives.map((d) => `#SBATCH ${d}`).join("\n")}
# Written by physicsworks-solve sweep from ${input.specPath}.
# Array task i runs entry i (from 0) of the points below. sbatch keeps the script as submitted, so
# a later submission of the sweep, which rewrites this file, leaves this job's tasks as they were.
set -euo pipefail
runs=${shellQuote(input.runsDir)}
points=(
${input.dirs.map((dir) => `  ${shellQuote(dir)}`).join("\n")}
)
dir=\${points[$SLURM_ARRAY_TASK_ID]:-}
if [ -z "$dir" ]; then
  echo "sweep: no point for array task $SLURM_ARRAY_TASK_ID (the script lists \${#points[@]})" >&2
  exit 2
fi
cd "$runs/$dir"
echo "sweep: task $SLURM_ARRAY_TASK_ID runs $runs/$dir on $(hostname)"
# exec: the runner replaces this shell, so the SIGTERM of --signal=B:... reaches it.
exec ${shellQuote(input.node)} ${shellQuote(input.cli)} --configPath="$runs/$dir/config.json"
`;
}
