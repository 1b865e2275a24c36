import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { JSONCodec, type NatsConnection } from "nats";
import { UsageError } from "../../errors.js";
import { readConfigForQueue } from "./request-config.js";
import { RUN_ID, type RunRequest } from "./run-request.js";
import { ensureWorkQueue, workQueueNames } from "./work-queue.js";

export interface PrepareOptions {
  /** config.json (or .yaml) files, one run each (times `repeat`). */
  configs: string[];
  /** Runs per config file (default 1). */
  repeat?: number;
  /** Send the config's absolute path instead of its fields: workers read it from a shared filesystem. */
  reference?: boolean;
  /** With `reference`: workers run each config in its own folder (RunRequest.inPlace), not in a copy. */
  inPlace?: boolean;
  /** Makes the ids (default: random UUIDs). */
  makeId?: () => string;
}

export interface SubmitOptions extends PrepareOptions {
  nc: NatsConnection;
  stream: string;
}

export interface Submitted {
  ids: string[];
  warnings: string[];
}

export interface Prepared {
  requests: RunRequest[];
  warnings: string[];
}

const codec = JSONCodec<RunRequest>();

/**
 * Enqueues runs (prepareRuns, then publishRuns). The id is also the message id: JetStream drops a
 * second submit of the same id within its duplicate window.
 */
export async function submitRuns(options: SubmitOptions): Promise<Submitted> {
  const { requests, warnings } = await prepareRuns(options);
  return { ids: await publishRuns(options.nc, options.stream, requests), warnings };
}

/**
 * The run requests for the configs, without NATS: every config is read and checked before the
 * first is sent, so a typo fails the whole submit (exit 2, also while NATS is down) instead of
 * reaching the workers.
 */
export async function prepareRuns(options: PrepareOptions): Promise<Prepared> {
  const repeat = options.repeat ?? 1;
  if (options.configs.length === 0) throw new UsageError("submit needs at least one config file, e.g. submit --stream RUNS examples/heat1d/config.json");
  const makeId = options.makeId ?? (() => randomUUID());
  const warnings: string[] = [];
  const requests: RunRequest[] = [];
  const submittedAt = new Date().toISOString();
  for (const file of options.configs) {
    const path = resolve(file);
    const queued = await readConfigForQueue(path);
    warnings.push(...queued.warnings);
    if (!options.reference && typeof queued.config.token === "string") {
      warnings.push(`${path}: "token" goes into the queue with the config, readable by anyone who can read the stream; prefer PHYSICSWORKS_TOKEN on the workers, or --reference`);
    }
    for (let i = 0; i < repeat; i++) {
      const id = makeId();
      if (!RUN_ID.test(id)) throw new UsageError(`run id ${JSON.stringify(id)} must be letters, digits, "_" and "-"`);
      requests.push(
        options.reference
          ? { id, configPath: path, ...(options.inPlace ? { inPlace: true } : {}), submittedAt }
          : { id, config: queued.config, ...(queued.sourceDir ? { sourceDir: queued.sourceDir } : {}), submittedAt },
      );
    }
  }
  return { requests, warnings };
}

/** Sends prepared requests into the stream's work queue (made when missing); returns their ids. */
export async function publishRuns(nc: NatsConnection, stream: string, requests: RunRequest[]): Promise<string[]> {
  const names = workQueueNames(stream);
  const jsm = await nc.jetstreamManager();
  await ensureWorkQueue(jsm, names);
  const js = nc.jetstream();
  // Sent one after the other, but without waiting for each ack in turn: 200 runs take one round trip, not 200.
  await Promise.all(requests.map((r) => js.publish(names.requests, codec.encode(r), { msgID: r.id, expect: { streamName: names.stream } })));
  return requests.map((r) => r.id);
}
