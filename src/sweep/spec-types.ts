/** A parameter's value at one point: what JSON and the solver's `--name=value` can carry. */
export type ParamValue = number | string | boolean;

/** One parameter and every value it takes, in order. */
export interface SweepParameter {
  name: string;
  values: ParamValue[];
}

/** Resources and options of the sbatch script. */
export interface SlurmSpec {
  partition?: string;
  /** Wall time per point, as sbatch takes it ("00:05:00", "1-00:00:00", "30"). */
  time?: string;
  cpus?: number;
  /** As sbatch --mem takes it: "500M", "4G". */
  memory?: string;
  /** Array tasks at once (the `%N` of --array); none: as many as the cluster gives. */
  maxParallel?: number;
  /** sbatch --signal: the runner gets SIGTERM this long before the wall time (default "B:TERM@60"). */
  signal: string;
  /** More `#SBATCH` lines, e.g. ["--exclusive", "--account=phys"]. */
  extra: string[];
  /** The job name (default "sweep-<spec name>"). */
  jobName?: string;
}

/** A sweep spec, validated, with every path absolute. */
export interface SweepSpec {
  specPath: string;
  /** The spec file's name without its extension: names the SLURM job and the NATS ids. */
  name: string;
  /** The config fields every run starts from (paths in them absolute; no workDir). */
  base: Record<string, unknown>;
  /** Where runs/<index>-<hash>/ and the sweep's own files go. */
  root: string;
  /** Copied into each run's scripts/; none when the base config names a scriptsArchive. */
  scripts?: string;
  /** Copied into each run's inputs/ before parameters.json is written. */
  inputs?: string;
  combine: "product" | "zip";
  parameters: SweepParameter[];
  slurm: SlurmSpec;
}

/** One run of the sweep. */
export interface SweepPoint {
  /** 0-based; also the SLURM array task id of a first full submission. */
  index: number;
  parameters: Record<string, ParamValue>;
  /** First 8 hex of sha256 of the canonical JSON of `parameters`. */
  hash: string;
  /** `<index>-<hash>`: the run's folder under <root>/runs/. */
  dir: string;
}
