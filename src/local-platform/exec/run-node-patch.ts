import type { RunNode } from "../../platform/types.js";
import type { Job, JobPatch } from "../platform-types.js";

/**
 * What a run node the runner stored tells about its job: the run id, progress and label, "running"
 * once it runs; with `finalFromNode` (NATS jobs, whose runner is elsewhere) also the final status.
 * In-process jobs take their final status from runSolver's result, which knows the exit code.
 */
export function patchFromRunNode(job: Job, runId: string, node: RunNode, options: { finalFromNode: boolean }): JobPatch | undefined {
  const patch: JobPatch = {};
  if (job.runId !== runId) patch.runId = runId;
  if (typeof node.progress === "number" && Number.isFinite(node.progress)) {
    const progress = Math.max(0, Math.min(100, node.progress));
    if (progress !== job.progress) patch.progress = progress;
  }
  if (typeof node.statusLabel === "string" && node.statusLabel !== job.statusLabel) patch.statusLabel = node.statusLabel;
  const now = new Date().toISOString();
  if (node.status === "running" && job.status === "queued") {
    patch.status = "running";
    if (!job.startedAt) patch.startedAt = now;
  }
  if (options.finalFromNode && (node.status === "finished" || node.status === "error")) {
    patch.status = node.status;
    patch.endedAt = now;
    if (!job.startedAt) patch.startedAt = now;
    if (node.status === "finished") patch.progress = 100;
    else patch.error = typeof node.statusLabel === "string" && node.statusLabel ? node.statusLabel : "the run failed";
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}
