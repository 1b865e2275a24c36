import type { MsgRequest, NatsConnection } from "nats";
import { isNotFound, streamError } from "../events-stream.js";
import type { WorkQueueNames } from "./work-queue.js";

/**
 * The ids of the run requests the work queue holds: those waiting and those a worker is running
 * (a request leaves the stream only when a worker acks it, at the run's end). Read one stored
 * message at a time, each request asking for the next one on the subject from a sequence on
 * (`next_by_subj`, nats-server 2.9 and later), so that the gaps acked requests leave cost
 * nothing. No stream yet: none.
 */
export async function queuedRequestIds(nc: NatsConnection, names: WorkQueueNames): Promise<Set<string>> {
  const jsm = await nc.jetstreamManager();
  const ids = new Set<string>();
  for (let seq = 1; ; ) {
    let message;
    try {
      // nats.js 2.29 types getMessage's query without next_by_subj, which the server takes.
      message = await jsm.streams.getMessage(names.stream, { seq, next_by_subj: names.requests } as unknown as MsgRequest);
    } catch (error) {
      // The end of the stream ("no message found"), or no stream at all.
      if (isNotFound(error)) return ids;
      throw streamError(names.stream, "cannot be read", error);
    }
    const id = requestId(message.data);
    if (id) ids.add(id);
    seq = message.seq + 1;
  }
}

/** A request's id, or undefined for a message that is not a request (the worker refuses those). */
function requestId(data: Uint8Array): string | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(data).toString("utf8"));
    const id = (value as { id?: unknown } | null)?.id;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}
