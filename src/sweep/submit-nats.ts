import type { NatsConnection } from "nats";
import { submitRuns } from "../events/worker/submit-runs.js";
import { readPointStates } from "./point-status.js";
import { prepareRun } from "./prepare-run.js";
import type { SweepPoint, SweepSpec } from "./spec-types.js";

export interface NatsSubmission {
  /** Queue ids in point order: sweep-<spec name>-<index>-<hash>. */
  ids: string[];
  submitted: SweepPoint[];
  /** Finished already (resume): not queued again. */
  skipped: SweepPoint[];
  warnings: string[];
}

/**
 * Lays out every point's run and queues it by reference (its config.json's absolute path), to be
 * run in place: the run folders are on this filesystem, so workers that share it run each point in
 * its folder, where `sweep status` finds it. The id is the JetStream message id, so a second
 * submit within two minutes is dropped.
 */
export async function submitSweepToNats(spec: SweepSpec, allPoints: SweepPoint[], nc: NatsConnection, stream: string): Promise<NatsSubmission> {
  const states = await readPointStates(spec, allPoints);
  const points = states.filter((s) => s.status !== "finished").map((s) => s.point);
  const skipped = states.filter((s) => s.status === "finished").map((s) => s.point);
  if (points.length === 0) return { ids: [], submitted: [], skipped, warnings: [] };
  const configs: string[] = [];
  for (const point of points) configs.push(await prepareRun(spec, point));
  const wanted = points.map((p) => `sweep-${spec.name.replace(/[^A-Za-z0-9_-]/g, "_")}-${p.dir}`);
  let i = 0;
  const { ids, warnings } = await submitRuns({ nc, stream, configs, reference: true, inPlace: true, makeId: () => wanted[i++] as string });
  return { ids, submitted: points, skipped, warnings };
}
