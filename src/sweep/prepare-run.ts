import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { SweepPoint, SweepSpec } from "./spec-types.js";
import { sweepPaths } from "./sweep-paths.js";

/** The solver's extra arguments for a point: `--name=value`, in the spec's order. */
export function solverArgs(point: SweepPoint): string[] {
  return Object.entries(point.parameters).map(([name, value]) => `--${name}=${String(value)}`);
}

/**
 * The run's config.json: the base's fields, `workDir: "."`, the parameters in PHYSICSWORKS_PARAMS
 * and as `--name=value` arguments (`solverArgs`, which the runner appends to the solver's).
 */
export function pointConfig(spec: SweepSpec, point: SweepPoint): Record<string, unknown> {
  const baseEnv = (spec.base.env ?? {}) as Record<string, unknown>;
  const config: Record<string, unknown> = {
    ...spec.base,
    workDir: ".",
    env: { ...baseEnv, PHYSICSWORKS_PARAMS: JSON.stringify(point.parameters) },
  };
  config.solverArgs = solverArgs(point);
  return config;
}

/**
 * Lays out runs/<index>-<hash>/: config.json, scripts/ (copied, so a later edit of the solver does
 * not change a sweep in flight), inputs/ (the spec's inputs, then parameters.json with the point's
 * values over any the inputs already had). Returns the config path.
 */
export async function prepareRun(spec: SweepSpec, point: SweepPoint): Promise<string> {
  const paths = sweepPaths(spec);
  const dir = paths.run(point);
  await mkdir(join(dir, "inputs"), { recursive: true });
  if (spec.scripts) await cp(spec.scripts, join(dir, "scripts"), { recursive: true, force: true });
  if (spec.inputs) await cp(spec.inputs, join(dir, "inputs"), { recursive: true, force: true });
  const paramsFile = join(dir, "inputs", "parameters.json");
  const previous = await readObject(paramsFile);
  await writeFile(paramsFile, `${JSON.stringify({ ...previous, ...point.parameters }, null, 2)}\n`);
  await writeFile(paths.config(point), `${JSON.stringify(pointConfig(spec, point), null, 2)}\n`);
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
