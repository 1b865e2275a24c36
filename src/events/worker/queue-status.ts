import { Empty, RequestStrategy, type NatsConnection } from "nats";
import { UsageError } from "../../errors.js";
import { isNotFound, streamError } from "../events-stream.js";
import type { WorkQueueNames } from "./work-queue.js";
import type { WorkerReport } from "./worker-report.js";

export interface QueueStatus {
  stream: string;
  /** Requests waiting to be run: not yet taken, returned by a stopping worker, or left by a dead one (taken again after the ack wait). */
  pending: number;
  /** Runs the live workers say they are running. */
  running: number;
  /** Done records: runs completed, whatever their status. */
  done: number;
  finished: number;
  error: number;
  /** The workers that answered. */
  workers: WorkerReport[];
}

/**
 * The queue, counted where each number is true: the request stream keeps a request until a
 * worker acks it (its messages are pending + running); running comes from the live workers
 * themselves; done from the done stream's per-subject counts.
 */
export async function readQueueStatus(nc: NatsConnection, names: WorkQueueNames, url: string, waitMs = 500): Promise<QueueStatus> {
  const jsm = await nc.jetstreamManager();
  let messages: number;
  try {
    messages = (await jsm.streams.info(names.stream)).state.messages;
  } catch (error) {
    if (isNotFound(error)) {
      throw new UsageError(`NATS at ${url} has no work queue ${names.stream}: submit runs or start a worker with --stream ${names.stream} first`);
    }
    throw streamError(names.stream, "cannot be read", error);
  }
  const workers = await askWorkers(nc, names.status, waitMs);
  const running = workers.reduce((n, w) => n + w.running.length, 0);
  let finished = 0;
  let failed = 0;
  try {
    const info = await jsm.streams.info(names.doneStream, { subjects_filter: `${names.done}.>` });
    const subjects = info.state.subjects ?? {};
    finished = subjects[`${names.done}.finished`] ?? 0;
    failed = subjects[`${names.done}.error`] ?? 0;
  } catch (error) {
    if (!isNotFound(error)) throw streamError(names.doneStream, "cannot be read", error);
  }
  return {
    stream: names.stream,
    pending: Math.max(0, messages - running),
    running,
    done: finished + failed,
    finished,
    error: failed,
    workers: workers.sort((a, b) => a.name.localeCompare(b.name)),
  };
}

async function askWorkers(nc: NatsConnection, subject: string, waitMs: number): Promise<WorkerReport[]> {
  const out: WorkerReport[] = [];
  try {
    for await (const m of await nc.requestMany(subject, Empty, { strategy: RequestStrategy.Timer, maxWait: waitMs })) {
      try {
        out.push(m.json<WorkerReport>());
      } catch {
        // Not a worker's answer: ignore it.
      }
    }
  } catch {
    // No worker listening ("no responders"): none running.
  }
  return out;
}
