import { ConfigError } from "../errors.js";
import { pointHash } from "./point-hash.js";
import type { ParamValue, SweepParameter, SweepPoint } from "./spec-types.js";

/**
 * Every point of the sweep. product: every combination, the last parameter changing fastest
 * (like nested loops in the spec's order); zip: the i-th value of each parameter together.
 */
export function expandPoints(parameters: SweepParameter[], combine: "product" | "zip", where = "sweep"): SweepPoint[] {
  const combos = combine === "zip" ? zip(parameters, where) : product(parameters);
  return combos.map((values, index) => {
    const point: Record<string, ParamValue> = {};
    parameters.forEach((p, i) => (point[p.name] = values[i] as ParamValue));
    const hash = pointHash(point);
    return { index, parameters: point, hash, dir: `${index}-${hash}` };
  });
}

function product(parameters: SweepParameter[]): ParamValue[][] {
  let combos: ParamValue[][] = [[]];
  for (const p of parameters) combos = combos.flatMap((c) => p.values.map((v) => [...c, v]));
  return parameters.length === 0 ? [] : combos;
}

function zip(parameters: SweepParameter[], where: string): ParamValue[][] {
  const first = parameters[0];
  if (!first) return [];
  const odd = parameters.find((p) => p.values.length !== first.values.length);
  if (odd) {
    const lengths = parameters.map((p) => `${p.name}: ${p.values.length}`).join(", ");
    throw new ConfigError(`${where}: "combine: zip" needs every parameter to have the same number of values (${lengths}); use "combine: product" or make them equal`);
  }
  return first.values.map((_, i) => parameters.map((p) => p.values[i] as ParamValue));
}
