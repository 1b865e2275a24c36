import type { RunNodeSlug, TreeNode } from "../platform/types.js";
import { basenameOf, extensionOf } from "./output-kind.js";

/** The run node entry the platform's UI reads for an output (protocol.md, "Where each output goes"). */
export function outputEntry(
  slug: RunNodeSlug,
  id: string,
  path: string,
  storedName: string,
  simulation: string,
): TreeNode & { id: string } {
  const base = basenameOf(path);
  const ext = extensionOf(path);
  const stem = ext ? base.slice(0, -(ext.length + 1)) : base;
  switch (slug) {
    case "logs":
      return { id, name: stem, isLog: true, filename: storedName, status: "running", simulation };
    case "plots":
      return { id, name: stem, filename: storedName, simulationId: simulation, isPlot: true };
    case "media":
      return { id, name: base, filename: storedName, simulation, isMedia: true, mediaType: ext };
    case "graphics":
    case "downloadables":
      return { id, name: base, filename: storedName, simulationId: simulation, isFile: true };
  }
}

/** `<uuid>.<ext>`; logs are always `.log`. */
export function storedNameFor(id: string, path: string, slug: RunNodeSlug | undefined): string {
  if (slug === "logs") return `${id}.log`;
  const ext = extensionOf(path);
  return ext ? `${id}.${ext}` : id;
}
