import { createHash } from "node:crypto";
import { dirname, relative, sep } from "node:path";
import type { NatsConnection } from "nats";
import { queuedRequests } from "../events/worker/queued-requests.js";
import type { RunRequest } from "../events/worker/run-request.js";
import { submitRuns } from "../events/worker/submit-runs.js";
import { workQueueNames } from "../events/worker/work-queue.js";
import { readPointStates } from "./point-status.js";
import { prepareRun } from "./prepare-run.js";
import { strayFoldersWarning } from "./stray-folders.js";
import { takeSubmitLock } from "./submit-lock.js";
import type { SweepPoint, SweepSpec } from "./spec-types.js";
import { sweepPaths } from "./sweep-paths.js";

export interface NatsSubmission {
  /** Queue ids in point order: sweep-<spec name>-<root hash>-<index>-<hash>. */
  ids: string[];
  submitted: SweepPoint[];
  /** Finished already (resume): not queued again. */
  skipped: SweepPoint[];
  /** Still in the work queue, waiting or being run: not queued again (nor their folders touched). */
  queued: SweepPoint[];
  warnings: string[];
}

/**
 * A point's queue id: the spec's name (shortened), a hash of the sweep's root (two sweeps named
 * alike in other folders are other runs), and the point's folder name.
 */
export function pointRunId(spec: Pick<SweepSpec, "name" | "root">, point: Pick<SweepPoint, "dir">): string {
  const name = spec.name.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 48);
  const root = createHash("sha256").update(spec.root).digest("hex").slice(0, 8);
  return `sweep-${name}-${root}-${point.dir}`;
}

/**
 * Lays out the runs of the points that are neither finished nor still in the work queue (a
 * request stays there until a worker acks it, when the run ends) and queues each by reference
 * (its config.json's absolute path), to be run in place: the run folders are on this filesystem,
 * so workers that share it run each point in its folder, where `sweep status` finds it. One
 * submission at a time per sweep (`<root>/sweep-submit.lock`).
 */
export async function submitSweepToNats(spec: SweepSpec, allPoints: SweepPoint[], nc: NatsConnection, stream: string): Promise<NatsSubmission> {
  const paths = sweepPaths(spec);
  const lock = await takeSubmitLock(spec);
  try {
    // The queue first, the runs' records after: a worker writes run.json before it acks, so a
    // point whose request leaves the queue in between is seen finished.
    const inQueue = await queuedRequests(nc, workQueueNames(stream));
    const stray = straysWarning(spec, allPoints, [...inQueue.requests.values()], stream);
    const states = await readPointStates(spec, allPoints);
    const isQueued = (point: SweepPoint) => inQueue.requests.get(pointRunId(spec, point))?.configPath === paths.config(point);
    const skipped = states.filter((s) => s.status === "finished").map((s) => s.point);
    const unfinished = states.filter((s) => s.status !== "finished").map((s) => s.point);
    const queued = unfinished.filter(isQueued);
    const points = unfinished.filter((p) => !isQueued(p));
    const notes = [...inQueue.warnings, ...(stray ? [stray] : [])];
    if (points.length === 0) return { ids: [], submitted: [], skipped, queued, warnings: notes };
    const configs: string[] = [];
    for (const point of points) configs.push(await prepareRun(spec, point));
    const wanted = points.map((p) => pointRunId(spec, p));
    let i = 0;
    // The message id is this submission's: the queue was read (under the lock), so a point queued
    // again is one that left it, e.g. failed, which the duplicate window would otherwise drop.
    const messageId = (r: RunRequest) => `${r.id}.${r.submittedAt ?? ""}`;
    const { ids, warnings } = await submitRuns({ nc, stream, configs, reference: true, inPlace: true, makeId: () => wanted[i++] as string, messageId });
    return { ids, submitted: points, skipped, queued, warnings: [...notes, ...warnings] };
  } finally {
    await lock.release();
  }
}

/**
 * The warning for requests in the queue for folders of this sweep that the spec no longer has (it
 * was edited: a point's folder is `<index>-<hash>`), or undefined: their parameters may be queued
 * again under another folder.
 */
function straysWarning(spec: SweepSpec, points: SweepPoint[], requests: RunRequest[], stream: string): string | undefined {
  const paths = sweepPaths(spec);
  const current = new Set(points.map((p) => paths.config(p)));
  const strays = requests.flatMap((r) => (r.configPath?.startsWith(`${paths.runs}${sep}`) && !current.has(r.configPath) ? [r.configPath] : []));
  const folders = strays.map((configPath) => relative(paths.runs, dirname(configPath)));
  return strayFoldersWarning(`the work queue ${stream} still holds ${strays.length} request(s) for folders`, folders, "queued");
}
