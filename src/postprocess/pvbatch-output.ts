/**
 * outputs/pvbatch_output.json: what a ParaView batch export says about its glTF scene. Its `type`, `slug`,
 * `items` and `bBox` go into the gltf archive's `value.data` (protocol.md, "Where each output goes").
 */
import { readFile } from "node:fs/promises";

export const PVBATCH_OUTPUT = "pvbatch_output.json";
const FIELDS = ["type", "slug", "items", "bBox"] as const;

export interface PvbatchFields {
  /** Only the fields the file has; undefined when there is no file (or it is unusable). */
  data: Record<string, unknown> | undefined;
  warnings: string[];
}

export async function readPvbatchOutput(path: string): Promise<PvbatchFields> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { data: undefined, warnings: [] };
    return { data: undefined, warnings: [`outputs/${PVBATCH_OUTPUT}: cannot be read (${(error as Error).message}); ignored`] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { data: undefined, warnings: [`outputs/${PVBATCH_OUTPUT}: not valid JSON (${(error as Error).message}); ignored`] };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return { data: undefined, warnings: [`outputs/${PVBATCH_OUTPUT}: must be a JSON object with type, slug, items, bBox; ignored`] };
  }
  const data: Record<string, unknown> = {};
  for (const field of FIELDS) if (field in json) data[field] = (json as Record<string, unknown>)[field];
  const missing = FIELDS.filter((f) => !(f in data));
  const warnings = missing.length ? [`outputs/${PVBATCH_OUTPUT}: has no ${missing.join(", ")}`] : [];
  return { data, warnings };
}
