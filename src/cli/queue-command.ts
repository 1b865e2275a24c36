import { natsOptionsFromFlags, type NatsFlags } from "../events/nats-flags.js";

export interface QueueFlags extends NatsFlags {
  stream: string;
  consumer: string;
  json?: boolean;
}

/** `physicsworks-solve queue`: pending, running and done runs of a work queue. */
export async function queueCommand(flags: QueueFlags): Promise<number> {
  const connection = await natsOptionsFromFlags(flags);
  const [{ connectNats, shownNatsUrl }, { readQueueStatus }, { workQueueNames }] = await Promise.all([
    import("../events/nats-connection.js"),
    import("../events/worker/queue-status.js"),
    import("../events/worker/work-queue.js"),
  ]);
  const names = workQueueNames(flags.stream, flags.consumer);
  const nc = await connectNats({ ...connection, name: "physicsworks-solve queue", maxReconnectAttempts: 3 });
  try {
    const status = await readQueueStatus(nc, names, shownNatsUrl(connection));
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    } else {
      const width = String(Math.max(status.pending, status.running, status.done)).length;
      const n = (v: number) => String(v).padStart(width);
      process.stdout.write(
        `work queue ${status.stream}\n` +
          `  pending  ${n(status.pending)}   waiting for a worker\n` +
          `  running  ${n(status.running)}   on ${status.workers.length} live worker(s)\n` +
          `  done     ${n(status.done)}   ${status.finished} finished, ${status.error} error\n` +
          status.workers
            .map((w) => `  worker ${w.name}: ${w.running.length}/${w.concurrency}${w.stopping ? " (stopping)" : ""}${w.running.length ? ` ${w.running.join(", ")}` : ""}\n`)
            .join(""),
      );
    }
    return 0;
  } finally {
    await nc.drain();
  }
}
