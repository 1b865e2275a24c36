import type { JetStreamClient, KV } from "nats";
import type { WorkQueueNames } from "./work-queue.js";

/**
 * How many deliveries of each request found its work directory held by another runner, kept in a
 * JetStream KV bucket every worker of the queue shares. Such a delivery did not fail: it is taken
 * off the count --maxAttempts limits, so a request waiting for a long run in its folder is never
 * given up for waiting. A request's key goes once it is done.
 */
export interface BusyCounts {
  of(id: string): Promise<number>;
  add(id: string): Promise<void>;
  clear(id: string): Promise<void>;
}

/** A count not touched for a week is dropped: no request waits that long for its folder. */
const KEEP_MS = 7 * 24 * 3600_000;

export async function openBusyCounts(js: JetStreamClient, names: WorkQueueNames, log: (line: string) => void): Promise<BusyCounts> {
  let kv: KV;
  try {
    kv = await js.views.kv(names.busyBucket, { history: 1, ttl: KEEP_MS });
  } catch (error) {
    log(`the KV bucket ${names.busyBucket} cannot be opened (${(error as Error).message}); a delivery that finds its work directory busy counts toward --maxAttempts`);
    return { of: async () => 0, add: async () => undefined, clear: async () => undefined };
  }
  const of = async (id: string) => {
    try {
      const entry = await kv.get(id);
      return entry?.operation === "PUT" ? Number(entry.string()) || 0 : 0;
    } catch {
      // Unreadable now: the delivery counts, as it would without the bucket.
      return 0;
    }
  };
  return {
    of,
    async add(id) {
      // One delivery of a request at a time: no two workers add to one count together.
      await kv.put(id, String((await of(id)) + 1)).catch(() => undefined);
    },
    async clear(id) {
      await kv.delete(id).catch(() => undefined);
    },
  };
}
