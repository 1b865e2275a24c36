import type { NatsConnection } from "nats";
import { workQueueNames, type DoneRecord } from "../../src/events/index.js";

/** Every done record of the work queue `stream` so far, read from its done stream. */
export async function readDoneRecords(nc: NatsConnection, stream: string): Promise<DoneRecord[]> {
  const names = workQueueNames(stream);
  const total = (await (await nc.jetstreamManager()).streams.info(names.doneStream)).state.messages;
  if (total === 0) return [];
  const consumer = await nc.jetstream().consumers.get(names.doneStream);
  const out: DoneRecord[] = [];
  for await (const m of await consumer.fetch({ max_messages: total, expires: 2000 })) out.push(m.json<DoneRecord>());
  return out;
}
