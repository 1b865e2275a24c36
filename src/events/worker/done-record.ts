import { JSONCodec, type JetStreamClient } from "nats";
import type { WorkQueueNames } from "./work-queue.js";

/** What a worker records, on `<S>.done.<status>`, for each run it completed (or refused). */
export interface DoneRecord {
  id: string;
  status: "finished" | "error";
  /** runSolver's id of the run (PHYSICSWORKS_RUN_ID), when it ran. */
  runId?: string;
  exitCode: number;
  worker: string;
  /** Which delivery of the request this was: 2 and more mean an earlier worker did not finish it. */
  delivery: number;
  durationMs?: number;
  workDir?: string;
  error?: string;
  finishedAt: string;
}

const codec = JSONCodec<DoneRecord>();

export async function publishDone(js: JetStreamClient, names: WorkQueueNames, record: DoneRecord): Promise<void> {
  await js.publish(`${names.done}.${record.status}`, codec.encode(record));
}
