import { AckPolicy, DeliverPolicy, nanos, RetentionPolicy, type ConsumerInfo, type JetStreamManager, type StreamConfig } from "nats";
import { UsageError } from "../../errors.js";
import { isNotFound, streamError } from "../events-stream.js";

/**
 * The names one work queue uses, all derived from --stream:
 * - stream `<S>` (retention WorkQueue) keeps the run requests on subject `<S>.runs`; a request
 *   leaves it when a worker acks it;
 * - stream `<S>_DONE` keeps one record per completed run on `<S>.done.finished` / `<S>.done.error`;
 * - the durable pull consumer `workers` on `<S>` is shared by every worker: each request goes to one;
 * - live workers answer requests on `<S>.status` with what they are running (core NATS, not kept);
 * - the KV bucket `<S>_BUSY` counts the deliveries that found their work directory busy.
 */
export interface WorkQueueNames {
  stream: string;
  requests: string;
  doneStream: string;
  /** Prefix of the done subjects: `<S>.done`. */
  done: string;
  consumer: string;
  status: string;
  busyBucket: string;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

export function workQueueNames(stream: string, consumer = "workers"): WorkQueueNames {
  if (!NAME.test(stream)) {
    throw new UsageError(`--stream must be 1–64 letters, digits, "_" or "-", e.g. PHYSICSWORKS_RUNS (got ${JSON.stringify(stream)})`);
  }
  if (!NAME.test(consumer)) {
    throw new UsageError(`--consumer must be 1–64 letters, digits, "_" or "-" (got ${JSON.stringify(consumer)})`);
  }
  return { stream, requests: `${stream}.runs`, doneStream: `${stream}_DONE`, done: `${stream}.done`, consumer, status: `${stream}.status`, busyBucket: `${stream}_BUSY` };
}

/** Creates the request and done streams when missing (submit and workers both may come first). */
export async function ensureWorkQueue(jsm: JetStreamManager, names: WorkQueueNames): Promise<void> {
  await ensureStream(jsm, { name: names.stream, subjects: [names.requests], retention: RetentionPolicy.Workqueue });
  await ensureStream(jsm, { name: names.doneStream, subjects: [`${names.done}.>`], retention: RetentionPolicy.Limits });
}

async function ensureStream(jsm: JetStreamManager, config: Pick<StreamConfig, "name" | "subjects" | "retention">): Promise<void> {
  try {
    const info = await jsm.streams.info(config.name);
    if (info.config.retention !== config.retention) {
      throw new UsageError(
        `JetStream stream ${config.name} exists with retention "${info.config.retention}", not "${config.retention}"; pick another --stream or delete it (nats stream rm ${config.name})`,
      );
    }
    return;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (!isNotFound(error)) throw streamError(config.name, "cannot be read", error);
  }
  try {
    await jsm.streams.add(config);
  } catch (error) {
    // Two workers starting together: the other one created it.
    if (!/already in use|already exists/i.test(String(error))) throw streamError(config.name, "cannot be created", error);
  }
}

/**
 * Creates the workers' consumer when missing, or sets its ack wait to `ackWaitMs` (the last worker
 * to start decides: every worker of a queue should use the same). Returns the ack wait in ms.
 */
export async function ensureWorkConsumer(jsm: JetStreamManager, names: WorkQueueNames, ackWaitMs: number): Promise<number> {
  const ackWait = nanos(ackWaitMs);
  let info: ConsumerInfo | undefined;
  try {
    info = await jsm.consumers.info(names.stream, names.consumer);
  } catch (error) {
    if (!isNotFound(error)) throw streamError(names.stream, `consumer ${names.consumer} cannot be read`, error);
  }
  if (!info) {
    info = await jsm.consumers.add(names.stream, {
      durable_name: names.consumer,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: ackWait,
      // Redeliveries are counted by the worker, which records a run it gives up on; the server must not drop it silently.
      max_deliver: -1,
    });
  } else if (info.config.ack_wait !== ackWait) {
    info = await jsm.consumers.update(names.stream, names.consumer, { ack_wait: ackWait });
  }
  return Math.round((info.config.ack_wait ?? ackWait) / 1e6);
}
