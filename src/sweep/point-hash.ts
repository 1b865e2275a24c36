import { createHash } from "node:crypto";
import type { ParamValue } from "./spec-types.js";

/** JSON with the keys sorted, so the same parameters always give the same text. */
export function canonicalJson(parameters: Record<string, ParamValue>): string {
  const sorted = Object.keys(parameters)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(parameters[k])}`);
  return `{${sorted.join(",")}}`;
}

/**
 * The first 8 hex of sha256 of the canonical JSON: the same parameters, whatever the order of
 * their keys, give the same hash. A point's folder, `<index>-<hash>`, also holds its index, which
 * moves when the spec's values change.
 */
export function pointHash(parameters: Record<string, ParamValue>): string {
  return createHash("sha256").update(canonicalJson(parameters)).digest("hex").slice(0, 8);
}
