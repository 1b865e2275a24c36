import { UsageError } from "../errors.js";

export const STAGE_NAMES = ["init", "download", "watch", "execute", "post-process"] as const;
export type StageName = (typeof STAGE_NAMES)[number];

// The Python runner's users type these; accept them as the same stages.
const ALIASES: Record<string, StageName> = {
  initialization: "init",
  preprocessing: "download",
  solver: "execute",
  run: "execute",
  postprocessing: "post-process",
  postprocess: "post-process",
};

export function parseStageName(value: string, where: string): StageName {
  const name = value.trim().toLowerCase();
  if ((STAGE_NAMES as readonly string[]).includes(name)) return name as StageName;
  const alias = ALIASES[name];
  if (alias) return alias;
  throw new UsageError(`${where}: unknown stage "${value}"; the stages are ${STAGE_NAMES.join(", ")}`);
}

export function parseStageList(value: string | readonly string[], where: string): StageName[] {
  const parts = typeof value === "string" ? value.split(",") : value.flatMap((v) => v.split(","));
  return parts.filter((p) => p.trim() !== "").map((p) => parseStageName(p, where));
}
