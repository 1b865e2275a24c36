import type { MsgRequest, NatsConnection } from "nats";
import { isNotFound, streamError } from "../events-stream.js";
import { validateRunRequest, type RunRequest } from "./run-request.js";
import type { WorkQueueNames } from "./work-queue.js";

/** Walkers reading the stream at once, each over its own range of sequence numbers. */
const WALKERS = 16;

export interface QueuedRequests {
  /** By id: the requests the queue holds (a message that is not a valid request is left out). */
  requests: Map<string, RunRequest>;
  /** Said when the server is older than 2.9: the walk asked for every sequence number, gaps too. */
  warnings: string[];
}

/**
 * The run requests the work queue holds: those waiting and those a worker is running (a request
 * leaves the stream only when a worker acks it, at the run's end). A work queue stream takes no
 * second consumer, so its messages are read one by one (STREAM.MSG.GET): from nats-server 2.9
 * on, each get asks for the next stored message from a sequence on (`next_by_subj`), so the gaps
 * acked requests leave cost nothing; before 2.9, every sequence number is asked for. The range
 * from the stream's first to its last sequence is split among walkers that read at once. No
 * stream yet: none.
 */
export async function queuedRequests(nc: NatsConnection, names: WorkQueueNames): Promise<QueuedRequests> {
  const jsm = await nc.jetstreamManager();
  let first: number;
  let last: number;
  try {
    ({ first_seq: first, last_seq: last } = (await jsm.streams.info(names.stream)).state);
  } catch (error) {
    if (isNotFound(error)) return { requests: new Map(), warnings: [] };
    throw streamError(names.stream, "cannot be read", error);
  }
  const version = nc.info?.version ?? "0.0.0";
  const nextBySubject = atLeast(version, [2, 9]);
  const requests = new Map<string, RunRequest>();
  const take = (data: Uint8Array) => {
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(data).toString("utf8"));
    } catch {
      return; // Not JSON: not a request (the worker refuses it).
    }
    const checked = validateRunRequest(value);
    if (checked.ok) requests.set(checked.data.id, checked.data);
  };
  /** The stored message at or after `seq` (or at `seq` only, before 2.9), or undefined. */
  const get = async (seq: number) => {
    try {
      // nats.js 2.29 types getMessage's query without next_by_subj, which the server takes.
      const query = nextBySubject ? ({ seq, next_by_subj: names.requests } as unknown as MsgRequest) : { seq };
      return await jsm.streams.getMessage(names.stream, query);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw streamError(names.stream, "cannot be read", error);
    }
  };
  const walk = async (from: number, to: number) => {
    for (let seq = from; seq <= to; ) {
      const message = await get(seq);
      if (!message) {
        if (nextBySubject) return; // none stored from seq on
        seq++;
        continue;
      }
      if (message.seq > to) return;
      take(message.data);
      seq = message.seq + 1;
    }
  };
  if (last >= first && first > 0) {
    // The version is that of the server this client talks to; in a cluster mid-upgrade the
    // stream's leader may be older and end a walk at its first gap (rare; the duplicate window
    // still guards two submissions close together).
    const span = Math.ceil((last - first + 1) / WALKERS);
    const walks: Promise<void>[] = [];
    for (let from = first; from <= last; from += span) walks.push(walk(from, Math.min(last, from + span - 1)));
    await Promise.all(walks);
  }
  const read = last >= first && first > 0;
  const warnings =
    nextBySubject || !read
      ? []
      : [`nats-server ${version} is older than 2.9: the work queue was read one sequence number at a time (${last - first + 1} of them); upgrade for a faster check`];
  return { requests, warnings };
}

/** Whether version "a.b.c" is at least [major, minor]. */
function atLeast(version: string, [major, minor]: [number, number]): boolean {
  const [a = 0, b = 0] = version.split(".").map((part) => Number.parseInt(part, 10));
  return a > major || (a === major && b >= minor);
}
