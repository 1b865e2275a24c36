import { hostname } from "node:os";
import { resolve } from "node:path";
import { JSONCodec, type JsMsg, type NatsConnection } from "nats";
import { AbortError, abortMessage, UsageError } from "../../errors.js";
import type { RunSolverOptions } from "../../options.js";
import type { RunResult } from "../../run-result.js";
import { answerQuietly } from "../answer-quietly.js";
import { openBusyCounts } from "./busy-counts.js";
import { stopRuns, type ActiveRun } from "./graceful-stop.js";
import { runMessage, type RunOutcome } from "./run-message.js";
import { ensureWorkConsumer, ensureWorkQueue, workQueueNames } from "./work-queue.js";
import type { WorkerReport } from "./worker-report.js";
import { makeFolder } from "../../fs/make-folder.js";

export interface WorkerOptions {
  nc: NatsConnection;
  stream: string;
  /** The durable consumer every worker of the queue shares (default "workers"). */
  consumer?: string;
  /** Each run works in `<workRoot>/<id>/`. */
  workRoot: string;
  /** Runs at once (default 1). */
  concurrency?: number;
  /** The consumer's ack wait: a run whose worker stops sending working() is delivered again after this (default 30 s). */
  ackWaitMs?: number;
  /** Deliveries of one request before it is given up (recorded as an error). Default 5. */
  maxAttempts?: number;
  /** After a crash of the handling, how long before the request is delivered again (default 5 s). */
  retryDelayMs?: number;
  /** When another runner holds a request's work directory, how long before it is delivered again (default 60 s). */
  busyDelayMs?: number;
  /** How long one pull waits for a request (default 2 s; also the longest an idle worker takes to stop). */
  pullExpiresMs?: number;
  /** The worker's name in done records and logs (default host:pid). */
  name?: string;
  /** runSolver, passed in so that this module does not depend on the runner it drives. */
  run: (options: RunSolverOptions) => Promise<RunResult>;
  /** Extra options for every run (env, pollIntervalMs, tuning…). */
  runOptions?: Partial<RunSolverOptions>;
  log?: (line: string) => void;
}

export interface WorkerSummary {
  finished: number;
  error: number;
  /** Runs aborted by the stop and returned to the queue. */
  returned: number;
  /** Deliveries nak'ed after a crash of their handling. */
  retried: number;
  /** Requests terminated: invalid, or given up after too many deliveries. */
  refused: number;
  /** Deliveries nak'ed because another runner held the run's work directory (not counted as attempts). */
  busy: number;
}

export interface Worker {
  readonly name: string;
  /** The consumer's ack wait, as the server has it. */
  readonly ackWaitMs: number;
  /** Ids of the runs in progress. */
  running(): string[];
  /**
   * Stops taking requests; runs in progress get `graceMs` to finish, then are aborted and returned
   * to the queue. Resolves once every message is acked or nak'ed. The connection stays open.
   */
  stop(graceMs: number, reason?: Error): Promise<WorkerSummary>;
  /** Resolves when the worker has stopped (by stop(), or because the connection closed). */
  readonly stopped: Promise<WorkerSummary>;
}

const COUNTED_AS: Record<RunOutcome, keyof WorkerSummary> = {
  finished: "finished",
  error: "error",
  returned: "returned",
  retry: "retried",
  refused: "refused",
  busy: "busy",
};

/** Starts pulling run requests from the work queue; one pull per free slot, so a busy worker never holds requests another could run. */
export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const names = workQueueNames(options.stream, options.consumer);
  const concurrency = options.concurrency ?? 1;
  const workRoot = resolve(options.workRoot);
  await makeFolder(workRoot, (code, cause) => new UsageError(`--workRoot: cannot create the folder ${workRoot} (${code}); name a folder, or a path where one can be made`, { cause }));
  const jsm = await options.nc.jetstreamManager();
  await ensureWorkQueue(jsm, names);
  const ackWaitMs = await ensureWorkConsumer(jsm, names, options.ackWaitMs ?? 30_000);
  const js = options.nc.jetstream();
  const consumer = await js.consumers.get(names.stream, names.consumer);
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const log = options.log ?? (() => undefined);
  const busy = await openBusyCounts(js, names, log);
  const pullExpiresMs = Math.max(1000, options.pullExpiresMs ?? 2000);
  const summary: WorkerSummary = { finished: 0, error: 0, returned: 0, retried: 0, refused: 0, busy: 0 };
  const active = new Map<string, ActiveRun>();

  let stopping = false;
  let wake: () => void = () => undefined;
  let stopRequested: () => void = () => undefined;
  const stopSignal = new Promise<"stop">((done) => (stopRequested = () => done("stop")));

  const start = (msg: JsMsg) => {
    const key = `${msg.seq}`;
    const controller = new AbortController();
    const settled = runMessage(msg, {
      js,
      names,
      workRoot,
      worker: name,
      run: options.run,
      runOptions: options.runOptions ?? {},
      heartbeatMs: Math.max(50, Math.floor(ackWaitMs / 4)),
      maxAttempts: options.maxAttempts ?? 5,
      retryDelayMs: options.retryDelayMs ?? 5000,
      busyDelayMs: options.busyDelayMs ?? 60_000,
      busy,
      controller,
      log,
    })
      .catch((error: unknown) => {
        log(`internal error while handling stream seq ${msg.seq}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        answerQuietly(() => msg.nak(options.retryDelayMs ?? 5000));
        return "retry" as RunOutcome;
      })
      .then((outcome) => {
        summary[COUNTED_AS[outcome]]++;
        active.delete(key);
        wake();
      });
    active.set(key, { id: requestId(msg) ?? key, controller, settled });
  };

  // A pull still open when the stop came: whatever it brings goes straight back.
  let lingering: Promise<JsMsg | null> | undefined;
  const loop = (async () => {
    let backoffMs = 0;
    while (!stopping && !options.nc.isClosed()) {
      if (active.size >= concurrency) {
        await Promise.race([new Promise<void>((done) => (wake = done)), stopSignal]);
        continue;
      }
      const pull = consumer.next({ expires: pullExpiresMs });
      let msg: JsMsg | null | "stop";
      try {
        msg = await Promise.race([pull, stopSignal]);
      } catch (error) {
        if (options.nc.isClosed()) break;
        backoffMs = Math.min(30_000, backoffMs ? backoffMs * 2 : 500);
        log(`pulling from ${names.stream} failed (${(error as Error).message}); again in ${backoffMs} ms`);
        await Promise.race([new Promise((done) => setTimeout(done, backoffMs)), stopSignal]);
        continue;
      }
      backoffMs = 0;
      if (msg === "stop") {
        lingering = pull;
        break;
      }
      if (!msg) continue;
      if (stopping) {
        answerQuietly(() => msg.nak());
        break;
      }
      start(msg);
    }
  })();

  const reports = JSONCodec<WorkerReport>();
  const statusSub = options.nc.subscribe(names.status, {
    callback: (_error, m) => {
      const running = [...active.values()].map((r) => r.id);
      answerQuietly(() => m.respond(reports.encode({ name, concurrency, running, stopping })));
    },
  });

  log(`worker ${name}: taking runs from ${names.stream} (${concurrency} at once, ack wait ${ackWaitMs} ms) into ${workRoot}`);

  let finish: ((s: WorkerSummary) => void) | undefined;
  const stopped = new Promise<WorkerSummary>((done) => (finish = done));
  let stopping$: Promise<WorkerSummary> | undefined;
  const stop = (graceMs: number, reason: Error = new AbortError("SIGTERM", abortMessage("SIGTERM"))) => {
    stopping$ ??= (async () => {
      stopping = true;
      stopRequested();
      wake();
      await loop;
      const returnLingering = (async () => {
        const m = await lingering?.catch(() => null);
        if (m) answerQuietly(() => m.nak());
      })();
      await stopRuns([...active.values()], graceMs, reason, log);
      await returnLingering;
      answerQuietly(() => statusSub.unsubscribe());
      finish?.({ ...summary });
      return { ...summary };
    })();
    return stopping$;
  };
  // A connection closed under the worker (not by a drain after stop) ends it as well.
  void options.nc.closed().then(() => void stop(0));

  return { name, ackWaitMs, running: () => [...active.values()].map((r) => r.id), stop, stopped };
}

function requestId(msg: JsMsg): string | undefined {
  try {
    const id = (JSON.parse(msg.string()) as { id?: unknown }).id;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}
