import { readFile, stat } from "node:fs/promises";
import { basename, dirname, extname, isAbsolute, resolve } from "node:path";
import yaml from "js-yaml";
import { checkConfigFields } from "../config/config-fields.js";
import { nearestName } from "../config/nearest-name.js";
import { readConfigFile } from "../config/read-config-file.js";
import { jsonProblem, yamlProblem } from "../config/parse-problem.js";
import { ConfigError } from "../errors.js";
import { expandRange, type RangeSpec } from "./expand-range.js";
import type { ParamValue, SlurmSpec, SweepParameter, SweepSpec } from "./spec-types.js";
import { isFolder } from "../fs/path-kind.js";

const TOP_KEYS = ["base", "root", "scripts", "inputs", "combine", "parameters", "slurm"] as const;
const RANGE_KEYS = ["from", "to", "step", "num", "scale"] as const;
const SLURM_KEYS = ["partition", "time", "cpus", "memory", "maxParallel", "signal", "extra", "jobName"] as const;
/** Fields of the base config that belong to one run, not to a sweep. */
const RUN_ONLY_FIELDS = ["workDir", "resource", "abort"];
/** Config fields that are paths, made absolute so each run's config.json works from its own folder. */
const PATH_FIELDS = ["scriptsArchive", "inputsArchive"];
/** What a solver can take as `--name=value` and an environment variable can carry. */
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Reads and checks a sweep spec (YAML or JSON); every error names the file and the key. */
export async function readSweepSpec(path: string): Promise<SweepSpec> {
  const specPath = resolve(path);
  let text: string;
  try {
    text = await readFile(specPath, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`${path}: cannot read the sweep spec (${code === "ENOENT" ? "no such file" : (code ?? String(error))})`);
  }
  return parseSweepSpec(parseText(text, path), specPath, path);
}

function parseText(text: string, shown: string): unknown {
  const ext = extname(shown).toLowerCase();
  try {
    // YAML is a superset of JSON, but JSON's own parser gives the better message for a .json file.
    return ext === ".json" ? JSON.parse(text) : yaml.load(text, { filename: shown });
  } catch (error) {
    // Placed and explained, never quoted: the spec's base may hold the platform token.
    const problem = ext === ".json" ? `JSON${jsonProblem(text, error as Error)}` : `YAML${yamlProblem(error as Error)}`;
    throw new ConfigError(`${shown}: not valid ${problem}`);
  }
}

/**
 * Checks a parsed spec. `shown` is how errors name the file (the path as the user gave it). Every
 * problem is told at once, one per line: each part of the spec (each unknown key, base, root, the
 * folders, combine, parameters, slurm) is checked whatever was wrong with the others; only the
 * folders, which a base config can name, wait for a base that is right.
 */
export async function parseSweepSpec(raw: unknown, specPath: string, shown = specPath): Promise<SweepSpec> {
  const problems: string[] = [];
  const fail: Fail = (key, message) => {
    throw new SpecProblem(`${key} ${message}`);
  };
  /** The part's value, or undefined when it has a problem (then recorded). */
  const part = async <T>(check: () => T | Promise<T>): Promise<T | undefined> => {
    try {
      return await check();
    } catch (error) {
      if (error instanceof SpecProblem) problems.push(`${shown}: ${error.message}`);
      else if (error instanceof ConfigError) problems.push(error.message); // the base config's own, which names where
      else throw error;
      return undefined;
    }
  };
  if (!isObject(raw)) throw new ConfigError(`${shown}: the spec must be an object with "base" and "parameters" (got ${describe(raw)})`);
  const spec = raw as Record<string, unknown>;
  for (const key of Object.keys(spec)) await part(() => unknownKeys({ [key]: true }, TOP_KEYS, "", fail));
  const specDir = dirname(specPath);
  const fromSpec = (p: string) => (isAbsolute(p) ? p : resolve(specDir, p));

  const based = await part(() => baseConfig(spec.base, shown, specDir, fail));
  const root = await part(async () => {
    const given = optionalString(spec.root, "root", fail);
    if (given) await folderOrNothing(fromSpec(given), "root", fail);
    return given;
  });
  const folders = based && (await part(() => solverFolders(spec, based, fromSpec, fail)));
  const combine = await part(() => {
    const value = spec.combine ?? "product";
    if (value !== "product" && value !== "zip") fail("combine", `must be "product" or "zip" (got ${JSON.stringify(value)})`);
    return value as "product" | "zip";
  });
  // Each parameter on its own: a bad one must not hide the problems of the next.
  let parameters: SweepParameter[] | undefined;
  const given = spec.parameters;
  if (!isObject(given) || Object.keys(given as object).length === 0) {
    await part(() => parseSweepParameters(given, fail)); // the shape's problem
  } else {
    const each: (SweepParameter | undefined)[] = [];
    for (const [name, value] of Object.entries(given as Record<string, unknown>)) each.push(await part(() => sweepParameter(name, value, fail)));
    if (each.every((p) => p !== undefined)) parameters = each as SweepParameter[];
  }
  const slurm = await part(() => slurmSpec(spec.slurm, fail));
  if (problems.length === 1) throw new ConfigError(problems[0]!);
  if (problems.length > 1) {
    const lines = problems.map((p) => (p.startsWith(`${shown}: `) ? p.slice(shown.length + 2) : p));
    throw new ConfigError(`${shown}: ${problems.length} problems:\n  ${lines.join("\n  ")}`);
  }

  const result: SweepSpec = {
    specPath,
    name: basename(specPath, extname(specPath)),
    base: based!.base,
    root: root ? fromSpec(root) : specDir,
    combine: combine!,
    parameters: parameters!,
    slurm: slurm!,
  };
  if (folders!.scripts) result.scripts = folders!.scripts;
  if (folders!.inputs) result.inputs = folders!.inputs;
  return result;
}

/** A problem with one part of a spec: the key and what is wrong, without the file's name. */
class SpecProblem extends Error {}

interface BaseConfig {
  base: Record<string, unknown>;
  /** The base config's own workDir, absolute: its scripts/ and inputs/ serve when the spec names none. */
  workDir?: string;
}

/** base: a config file (relative to the spec) or an inline object of config fields. */
async function baseConfig(value: unknown, shown: string, specDir: string, fail: Fail): Promise<BaseConfig> {
  let base: Record<string, unknown>;
  let baseDir: string;
  if (typeof value === "string") {
    const basePath = resolve(specDir, value);
    base = { ...(await readConfigFile(basePath, `"base" in ${shown}`)) };
    baseDir = dirname(basePath);
  } else if (isObject(value)) {
    base = { ...(value as Record<string, unknown>) };
    baseDir = specDir;
  } else {
    return fail("base", `must be a config file such as "../heat1d/config.json" or an object of config fields (got ${describe(value)})`);
  }
  const checked = checkConfigFields(base, `${shown}: base`);
  if (checked.unknown.length) {
    // Refused, not only warned about as a run does: a typo here would reach every point.
    const fields = checked.unknown.map((u) => `"${u.name}"${u.near ? ` (did you mean "${u.near}"?)` : ""}`);
    fail("base", `has fields the runner does not know: ${fields.join(", ")}; a sweep refuses them, since they would reach every point`);
  }
  const workDir = typeof base.workDir === "string" ? (isAbsolute(base.workDir) ? base.workDir : resolve(baseDir, base.workDir)) : undefined;
  for (const f of RUN_ONLY_FIELDS) delete base[f];
  for (const f of PATH_FIELDS) {
    const v = base[f];
    if (typeof v === "string" && !isAbsolute(v)) base[f] = resolve(baseDir, v);
  }
  return workDir === undefined ? { base } : { base, workDir };
}

/** The solver's scripts and inputs folders: the spec's, or those beside the base config's workDir. */
async function solverFolders(
  spec: Record<string, unknown>,
  { base, workDir }: BaseConfig,
  fromSpec: (p: string) => string,
  fail: Fail,
): Promise<{ scripts?: string; inputs?: string }> {
  const scriptsGiven = optionalString(spec.scripts, "scripts", fail);
  const inputsGiven = optionalString(spec.inputs, "inputs", fail);
  let scripts = scriptsGiven ? fromSpec(scriptsGiven) : undefined;
  if (scripts) await mustBeFolder(scripts, "scripts", fail);
  else if (!base.scriptsArchive && workDir && (await isFolder(resolve(workDir, "scripts")))) scripts = resolve(workDir, "scripts");
  if (!scripts && !base.scriptsArchive) {
    fail("scripts", `is needed: name the solver's scripts folder (e.g. "scripts: ../heat1d/scripts"), or give a base config whose workDir has scripts/ or that names a scriptsArchive`);
  }
  let inputs = inputsGiven ? fromSpec(inputsGiven) : undefined;
  if (inputs) await mustBeFolder(inputs, "inputs", fail);
  else if (!base.inputsArchive && workDir && (await isFolder(resolve(workDir, "inputs")))) inputs = resolve(workDir, "inputs");
  return { ...(scripts ? { scripts } : {}), ...(inputs ? { inputs } : {}) };
}

export type Fail = (key: string, message: string) => never;

/**
 * A sweep's `parameters`: an object of name → a value, a list of values, or a range
 * {from, to, step | num, scale}. `fail` is told the key ("parameters.alpha.step") and what is wrong.
 */
export function parseSweepParameters(raw: unknown, fail: Fail): SweepParameter[] {
  if (!isObject(raw) || Object.keys(raw as object).length === 0) {
    fail("parameters", `must be an object of parameters such as {alpha: [1e-4, 2e-4]} (got ${describe(raw)})`);
  }
  return Object.entries(raw as Record<string, unknown>).map(([name, value]) => sweepParameter(name, value, fail));
}

/** One parameter of a sweep's `parameters` (see parseSweepParameters). */
export function sweepParameter(name: string, value: unknown, fail: Fail): SweepParameter {
  if (!PARAM_NAME.test(name)) fail(`parameters.${name}`, `is not a usable parameter name: letters, digits, "_", "-" and ".", starting with a letter or "_"`);
  return { name, values: parameterValues(value, `parameters.${name}`, fail) };
}

function parameterValues(value: unknown, key: string, fail: Fail): ParamValue[] {
  if (isScalar(value)) return [value];
  if (Array.isArray(value)) {
    if (value.length === 0) fail(key, "is an empty list; give at least one value");
    value.forEach((v, i) => {
      if (!isScalar(v)) fail(`${key}[${i}]`, `must be a number, a string or true/false (got ${describe(v)})`);
    });
    return value as ParamValue[];
  }
  if (!isObject(value)) return fail(key, `must be a list of values or a range {from, to, step} / {from, to, num} (got ${describe(value)})`);
  const r = value as Record<string, unknown>;
  unknownKeys(r, RANGE_KEYS, `${key}.`, fail);
  const number = (k: string, ok: (n: number) => boolean, what: string): number | undefined => {
    const v = r[k];
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isFinite(v) || !ok(v)) fail(`${key}.${k}`, `must be ${what} (got ${JSON.stringify(v)})`);
    return v as number;
  };
  const from = number("from", () => true, "a number");
  const to = number("to", () => true, "a number");
  if (from === undefined) fail(`${key}.from`, "is missing: a range needs from, to and either step or num");
  if (to === undefined) fail(`${key}.to`, "is missing: a range needs from, to and either step or num");
  const step = number("step", (n) => n > 0, "a number > 0");
  const num = number("num", (n) => Number.isInteger(n) && n >= 1 && n <= 100_000, "a whole number from 1 to 100000");
  if ((step === undefined) === (num === undefined)) fail(key, "needs exactly one of step or num");
  const scale = r.scale ?? "linear";
  if (scale !== "linear" && scale !== "log") fail(`${key}.scale`, `must be "linear" or "log" (got ${JSON.stringify(scale)})`);
  const range: RangeSpec = { from: from as number, to: to as number, scale: scale as "linear" | "log" };
  if (step !== undefined) range.step = step;
  if (num !== undefined) range.num = num;
  if (scale === "log") {
    if (step !== undefined) fail(`${key}.step`, `cannot be used with "scale: log"; give num (the number of values from "from" to "to")`);
    if (range.from <= 0 || range.to <= 0) fail(key, `is a log range: it needs from and to > 0 (got from ${range.from}, to ${range.to})`);
  }
  if (step !== undefined && range.to < range.from) fail(`${key}.to`, `must be >= from with a step (got from ${range.from}, to ${range.to}); swap them`);
  if (step !== undefined && (range.to - range.from) / step >= 100_000) fail(`${key}.step`, `gives more than 100000 values; make it larger`);
  return expandRange(range);
}

function slurmSpec(value: unknown, fail: Fail): SlurmSpec {
  const slurm: SlurmSpec = { signal: "B:TERM@60", extra: [] };
  if (value === undefined || value === null) return slurm;
  if (!isObject(value)) return fail("slurm", `must be an object such as {partition: debug, time: "00:05:00"} (got ${describe(value)})`);
  const s = value as Record<string, unknown>;
  unknownKeys(s, SLURM_KEYS, "slurm.", fail);
  // A line break in a value would end its #SBATCH line and start a command of the batch script.
  const text = (k: string, pattern: RegExp, example: string): string | undefined => {
    const v = s[k];
    if (v === undefined || v === null) return undefined;
    const t = typeof v === "number" ? String(v) : v;
    if (typeof t !== "string" || !pattern.test(t)) fail(`slurm.${k}`, `must be ${example} (got ${JSON.stringify(v)})`);
    return t as string;
  };
  const whole = (k: string, what: string): number | undefined => {
    const v = s[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) fail(`slurm.${k}`, `must be ${what} (got ${JSON.stringify(v)})`);
    return v as number;
  };
  const partition = text("partition", /^[\w.,-]+$/, 'a partition name such as "debug"');
  const time = text("time", /^[\d:-]+$/, 'a wall time as sbatch takes it, e.g. "00:05:00" or "1-12:00:00"');
  const memory = text("memory", /^\d+[KMGT]?B?$/i, 'a memory size such as "500M" or "4G"');
  const signal = text("signal", /^(B:|R:)?[A-Z0-9]+(@\d+)?$/, 'an sbatch --signal value such as "B:TERM@60"');
  const jobName = text("jobName", /^[\w.-]+$/, "a job name of letters, digits, _, . and -");
  const cpus = whole("cpus", "a whole number >= 1");
  const maxParallel = whole("maxParallel", "a whole number >= 1");
  if (s.extra !== undefined) {
    const extra = typeof s.extra === "string" ? [s.extra] : s.extra;
    if (!Array.isArray(extra) || !extra.every((e) => typeof e === "string" && e.startsWith("-") && !/[\r\n]/.test(e))) {
      fail("slurm.extra", `must be a list of sbatch options such as ["--exclusive", "--account=phys"] (got ${JSON.stringify(s.extra)})`);
    }
    // Another cluster's job is "Invalid job id" to this one's squeue: it would look ended, and its points be submitted again.
    const cluster = (extra as string[]).find((e) => /^(-M|--clusters?)(=|$)|^-M\S/.test(e));
    if (cluster) {
      fail("slurm.extra", `must not choose another cluster (${JSON.stringify(cluster)}): a sweep asks this cluster's squeue about its jobs; submit from that cluster's login node instead`);
    }
    slurm.extra = extra as string[];
  }
  if (partition) slurm.partition = partition;
  if (time) slurm.time = time;
  if (memory) slurm.memory = memory;
  if (signal) slurm.signal = signal;
  if (jobName) slurm.jobName = jobName;
  if (cpus) slurm.cpus = cpus;
  if (maxParallel) slurm.maxParallel = maxParallel;
  return slurm;
}

function unknownKeys(obj: Record<string, unknown>, known: readonly string[], prefix: string, fail: Fail): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const near = nearestName(key, known);
    fail(`${prefix}${key}`, `is not a known key` + (near ? `; did you mean "${prefix}${near}"?` : ` (known: ${known.join(", ")})`));
  }
}

function optionalString(value: unknown, key: string, fail: Fail): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || !value) return fail(key, `must be a path (got ${describe(value)})`);
  return value;
}

async function mustBeFolder(path: string, key: string, fail: Fail): Promise<void> {
  if (!(await isFolder(path))) fail(key, `must be a folder; ${path} is not one`);
}

/** A folder the sweep makes when it is missing: only a file in its place, or on the way to it, is wrong. */
async function folderOrNothing(path: string, key: string, fail: Fail): Promise<void> {
  const found = await stat(path).then(
    (s) => (s.isDirectory() ? "folder" : "file"),
    (error: NodeJS.ErrnoException) => error.code,
  );
  if (found === "file") fail(key, `must be a folder; ${path} is a file`);
  if (found === "ENOTDIR") fail(key, `must be a folder; a file is in the way of ${path} (ENOTDIR)`);
}

function isObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is ParamValue {
  return typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value));
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return JSON.stringify(value);
}
