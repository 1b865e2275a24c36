import type { Material, RunData } from "../platform/types.js";

/**
 * The files the Python runner writes into inputs/ from the run data (protocol.md, "Downloads"):
 * name → JSON value.
 */
export function runDataFiles(data: RunData): Record<string, unknown> {
  return {
    "workbench.json": data.simulation.tree,
    "variants.json": variantsById(data.materials),
    "runInputs.json": data.inputs,
    "solverConfig.json": data.physicsFeature.config,
  };
}

/** Materials keyed by id, `{composition, variant}`, each SingleValue property given `value` = its first `values[].y`. */
export function variantsById(materials: readonly Material[]): Record<string, { composition: unknown; variant: unknown }> {
  const out: Record<string, { composition: unknown; variant: unknown }> = {};
  for (const m of materials) out[m.id] = { composition: m.composition ?? null, variant: flattenSingleValues(m.variant ?? null) };
  return out;
}

function flattenSingleValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(flattenSingleValues);
  if (!value || typeof value !== "object") return value;
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) copy[k] = flattenSingleValues(v);
  const values = copy.values;
  if (copy.type === "SingleValue" && Array.isArray(values) && values.length > 0) {
    copy.value = (values[0] as { y?: unknown } | undefined)?.y ?? null;
  }
  return copy;
}
