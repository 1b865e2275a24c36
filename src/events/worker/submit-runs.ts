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
  /** The JetStream message id of each request (default: its id; see publishRuns). */
  messageId?: (request: RunRequest) => string;
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
 * Enqueues runs (prepareRuns, then publishRuns); a request JetStream dropped as a repeat is a
 * warning, not an id.
 */
export async function submitRuns(options: SubmitOptions): Promise<Submitted> {
  const { requests, warnings } = await prepareRuns(options);
  const { ids, dropped } = await publishRuns(options.nc, options.stream, requests, options.messageId);
  return { ids, warnings: [...warnings, ...dropped.map(droppedWarning)] };
}

/** Why a request was not queued: JetStream dropped it as a repeat of a message within its window. */
export function droppedWarning(id: string): string {
  return `run ${id} was not queued: the stream had a message of the same id within its duplicate window (a submit repeated within 2 minutes, by default)`;
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

/**
 * Sends prepared requests into the stream's work queue (made when missing). The message id is the
 * request's id unless `messageId` says otherwise: JetStream drops a message whose id it has seen
 * within its duplicate window, which keeps a repeated submit (a restarted platform dispatching its
 * jobs again) from queuing a run twice. Answers the ids queued and those dropped so.
 */
export async function publishRuns(
  nc: NatsConnection,
  stream: string,
  requests: RunRequest[],
  messageId: (request: RunRequest) => string = (r) => r.id,
): Promise<{ ids: string[]; dropped: string[] }> {
  const names = workQueueNames(stream);
  const jsm = await nc.jetstreamManager();
  await ensureWorkQueue(jsm, names);
  const js = nc.jetstream();
  // Sent one after the other, but without waiting for each ack in turn: 200 runs take one round trip, not 200.
  const acks = await Promise.all(requests.map((r) => js.publish(names.requests, codec.encode(r), { msgID: messageId(r), expect: { streamName: names.stream } })));
  const ids: string[] = [];
  const dropped: string[] = [];
  requests.forEach((r, i) => (acks[i]?.duplicate ? dropped : ids).push(r.id));
  return { ids, dropped };
}
