/**
 * The run node children post-processing adds (protocol.md, "Where each output goes"). Field names
 * and fixed values are the platform's UI contract: do not rename them.
 */
import type { TreeNode } from "../platform/types.js";

/** The `downloadables` child for result.zip; the platform shows it with a Download action. */
export function resultZipEntry(id: string, storedFilename: string, simulation: string): TreeNode & { id: string } {
  return {
    id,
    name: "Result.zip",
    slug: "result.zip",
    isFile: true,
    filename: storedFilename,
    simulationId: simulation,
    actions: { type: "command", list: [{ name: "Download", slug: "download" }] },
  };
}

export type VisualizationKind = "vtp" | "gltf";

/** The `graphics` child for a visualization archive; `data` adds pvbatch's fields to `value.data`. */
export function graphicsEntry(
  kind: VisualizationKind,
  id: string,
  storedFilename: string,
  simulation: string,
  data: Record<string, unknown> = {},
): TreeNode & { id: string } {
  const name = kind === "vtp" ? "VTP" : "GLTF";
  return {
    id,
    name,
    slug: kind,
    simulationId: simulation,
    value: { id, title: name, slug: kind, simulationFields: true, data: { filename: storedFilename, ...data } },
  };
}
