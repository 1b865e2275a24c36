import type { NatsConnection } from "nats";
import { queuedRequestIds } from "../events/worker/queued-requests.js";
import { submitRuns } from "../events/worker/submit-runs.js";
import { workQueueNames } from "../events/worker/work-queue.js";
import { readPointStates } from "./point-status.js";
import { prepareRun } from "./prepare-run.js";
import type { SweepPoint, SweepSpec } from "./spec-types.js";

export interface NatsSubmission {
  /** Queue ids in point order: sweep-<spec name>-<index>-<hash>. */
  ids: string[];
  submitted: SweepPoint[];
  /** Finished already (resume): not queued again. */
  skipped: SweepPoint[];
  /** Still in the work queue, waiting or being run: not queued again (nor their folders touched). */
  queued: SweepPoint[];
  warnings: string[];
}

/**
 * Lays out the runs of the points that are neither finished nor still in the work queue (a
 * request stays there until a worker acks it, when the run ends) and queues each by reference
 * (its config.json's absolute path), to be run in place: the run folders are on this filesystem,
 * so workers that share it run each point in its folder, where `sweep status` finds it. The id
 * is also the JetStream message id, which drops a second submit within the stream's duplicate
 * window even where two submissions race.
 */
export async function submitSweepToNats(spec: SweepSpec, allPoints: SweepPoint[], nc: NatsConnection, stream: string): Promise<NatsSubmission> {
  const idOf = (point: SweepPoint) => `sweep-${spec.name.replace(/[^A-Za-z0-9_-]/g, "_")}-${point.dir}`;
  const [states, inQueue] = await Promise.all([readPointStates(spec, allPoints), queuedRequestIds(nc, workQueueNames(stream))]);
  const skipped = states.filter((s) => s.status === "finished").map((s) => s.point);
  const unfinished = states.filter((s) => s.status !== "finished").map((s) => s.point);
  const queued = unfinished.filter((p) => inQueue.has(idOf(p)));
  const points = unfinished.filter((p) => !inQueue.has(idOf(p)));
  if (points.length === 0) return { ids: [], submitted: [], skipped, queued, warnings: [] };
  const configs: string[] = [];
  for (const point of points) configs.push(await prepareRun(spec, point));
  const wanted = points.map(idOf);
  let i = 0;
  const { ids, warnings } = await submitRuns({ nc, stream, configs, reference: true, inPlace: true, makeId: () => wanted[i++] as string });
  return { ids, submitted: points, skipped, queued, warnings };
}
