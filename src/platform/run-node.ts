import type { RunNode, RunNodeSlug, RunStatus, TreeNode } from "./types.js";

/** The run node's child with this slug, created when the platform's node lacks it. */
export function slugChild(node: RunNode, slug: RunNodeSlug): TreeNode {
  let child = node.children.find((c) => c.slug === slug);
  if (!child) {
    child = { slug, name: slug[0]?.toUpperCase() + slug.slice(1), children: [] };
    node.children.push(child);
  }
  child.children ??= [];
  return child;
}

/**
 * Adds an entry under a slug, or replaces the one with the same id. `index` (id → position, per
 * slug) spares a search of a list that grows to thousands of outputs; it is rebuilt when missing.
 */
export function upsertEntry(node: RunNode, slug: RunNodeSlug, entry: TreeNode & { id: string }, index?: Map<string, number>): void {
  const list = slugChild(node, slug).children as TreeNode[];
  if (index && index.size === 0 && list.length > 0) list.forEach((c, i) => typeof c.id === "string" && index.set(c.id, i));
  const at = index ? (index.get(entry.id) ?? -1) : list.findIndex((c) => c.id === entry.id);
  if (at >= 0) list[at] = entry;
  else {
    index?.set(entry.id, list.length);
    list.push(entry);
  }
}

export function setRunStatus(node: RunNode, status: RunStatus, progress: number, statusLabel: string): void {
  node.status = status;
  node.progress = Math.max(0, Math.min(100, Math.round(progress * 10) / 10));
  node.statusLabel = statusLabel;
  if (status === "finished" || status === "error") {
    // The platform's UI offers actions (abort…) only while a run goes on.
    node.actions = null;
    // A log's entry says whether it still grows: it ended with the run.
    for (const entry of node.children?.find((child) => child.slug === "logs")?.children ?? []) {
      if (entry.isLog === true) entry.status = status;
    }
  }
}

/** Checks an answer that should be a run node; returns why not, or undefined. */
export function runNodeProblem(value: unknown): string | undefined {
  if (!value || typeof value !== "object" || Array.isArray(value)) return "not an object";
  const v = value as Record<string, unknown>;
  if (typeof v.id !== "string" || !v.id) return 'no string "id"';
  if (v.children !== undefined && !Array.isArray(v.children)) return '"children" is not a list';
  return undefined;
}
