import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { writeConfigJson } from "../config/write-config-json.js";
import type { ParamValue, SweepPoint, SweepSpec } from "./spec-types.js";
import { sweepPaths } from "./sweep-paths.js";

/** The solver's extra arguments for a set of parameters: `--name=value`, in their order. */
export function solverArgs(parameters: Record<string, ParamValue>): string[] {
  return Object.entries(parameters).map(([name, value]) => `--${name}=${String(value)}`);
}

/**
 * Config fields `base` with the parameters handed to the solver: in PHYSICSWORKS_PARAMS (over the
 * base's env) and as `--name=value` arguments (`solverArgs`, which the runner appends to the solver's).
 */
export function withParameters(base: Record<string, unknown>, parameters: Record<string, ParamValue>): Record<string, unknown> {
  const baseEnv = (base.env ?? {}) as Record<string, unknown>;
  return { ...base, env: { ...baseEnv, PHYSICSWORKS_PARAMS: JSON.stringify(parameters) }, solverArgs: solverArgs(parameters) };
}

/** The run's config.json: the base's fields, `workDir: "."`, the point's parameters (`withParameters`). */
export function pointConfig(spec: SweepSpec, point: SweepPoint): Record<string, unknown> {
  return { ...withParameters(spec.base, point.parameters), workDir: "." };
}

/**
 * Lays out a run's folder: scripts/ (copied, so a later edit of the solver does not change a run
 * in flight) and inputs/ from the given folders, then inputs/parameters.json with `parameters`
 * over any the inputs already had.
 */
export async function layOutRunFolder(
  dir: string,
  sources: { scripts?: string | undefined; inputs?: string | undefined },
  parameters: Record<string, ParamValue>,
): Promise<void> {
  await mkdir(join(dir, "inputs"), { recursive: true });
  if (sources.scripts) await cp(sources.scripts, join(dir, "scripts"), { recursive: true, force: true });
  if (sources.inputs) await cp(sources.inputs, join(dir, "inputs"), { recursive: true, force: true });
  const paramsFile = join(dir, "inputs", "parameters.json");
  const previous = await readObject(paramsFile);
  await writeFile(paramsFile, `${JSON.stringify({ ...previous, ...parameters }, null, 2)}\n`);
}

/** Lays out runs/<index>-<hash>/ (`layOutRunFolder` from the spec's scripts and inputs) and its config.json. Returns the config path. */
export async function prepareRun(spec: SweepSpec, point: SweepPoint): Promise<string> {
  const paths = sweepPaths(spec);
  await layOutRunFolder(paths.run(point), { scripts: spec.scripts, inputs: spec.inputs }, point.parameters);
  await writeConfigJson(paths.config(point), pointConfig(spec, point));
  return paths.config(point);
}

async function readObject(path: string): Promise<Record<string, unknown>> {
  try {
    const value: unknown = JSON.parse(await readFile(path, "utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
