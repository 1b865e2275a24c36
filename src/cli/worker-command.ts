import { AbortError, abortMessage, ExitCode, UsageError } from "../errors.js";
import { timerDuration } from "../config/duration.js";
import { wholeNumber } from "../config/whole-number.js";
import { natsOptionsFromFlags, type NatsFlags } from "../events/nats-flags.js";
import { untilAborted } from "./until-aborted.js";

export interface WorkerFlags extends NatsFlags {
  stream: string;
  consumer: string;
  concurrency: string;
  workRoot: string;
  grace: string;
  ackWait: string;
  /** Default 60s (commander gives it; programs calling workerCommand may leave it out). */
  busyDelay?: string;
  maxAttempts: string;
  name?: string;
  quiet?: boolean;
}

/**
 * `physicsworks-solve worker`: takes run requests from the work queue until `signal` fires, then
 * stops taking work and gives the runs in progress --grace to finish; the rest go back to the
 * queue. Exit 0 when every run it took was completed, 130/143 when some went back, 3 when the
 * connection to NATS was lost for good.
 */
export async function workerCommand(flags: WorkerFlags, signal: AbortSignal): Promise<number> {
  const concurrency = wholeNumber(flags.concurrency, "--concurrency", 1, 1024);
  const maxAttempts = wholeNumber(flags.maxAttempts, "--maxAttempts", 1, 1000);
  const graceMs = timerDuration(flags.grace, "--grace");
  const ackWaitMs = timerDuration(flags.ackWait, "--ackWait");
  const busyDelayMs = timerDuration(flags.busyDelay ?? "60s", "--busyDelay");
  if (ackWaitMs < 1000) throw new UsageError(`--ackWait must be at least 1s: runs are kept alive with a message every quarter of it (got ${JSON.stringify(flags.ackWait)})`);
  const connection = await natsOptionsFromFlags(flags);
  // Loaded here so that --help does not pay for the runner and the NATS client.
  const [{ runSolver }, { connectNats }, { startWorker }] = await Promise.all([
    import("../index.js"),
    import("../events/nats-connection.js"),
    import("../events/worker/worker-loop.js"),
  ]);
  const log = flags.quiet ? () => undefined : (line: string) => process.stderr.write(`${new Date().toISOString()} worker: ${line}\n`);
  const nc = await connectNats({ ...connection, name: `physicsworks-solve worker ${flags.name ?? process.pid}`, log });
  let worker;
  try {
    const starting = startWorker({
      nc,
      stream: flags.stream,
      consumer: flags.consumer,
      workRoot: flags.workRoot,
      concurrency,
      ackWaitMs,
      busyDelayMs,
      maxAttempts,
      run: runSolver,
      log,
      ...(flags.name ? { name: flags.name } : {}),
    });
    // A signal while it starts (its folder, its stream, its consumer) stops it there: nothing runs
    // yet, and a start that hangs (a --workRoot under /proc makes Node 20's recursive mkdir spin)
    // must not keep the worker deaf to it.
    const started = await Promise.race([starting, untilAborted(signal).then(() => undefined)]);
    if (!started) {
      starting.then((w) => w.stop(0), () => undefined);
      const reason = signal.reason instanceof AbortError ? signal.reason : new AbortError("SIGTERM", abortMessage("SIGTERM"));
      log(`${reason.reason}: stopped while starting; nothing was taken`);
      await nc.close();
      return reason.exitCode;
    }
    worker = started;
  } catch (error) {
    await nc.close();
    throw error;
  }
  const onSignal = () => {
    const reason = signal.reason instanceof AbortError ? signal.reason : new AbortError("SIGTERM", abortMessage("SIGTERM"));
    log(`${reason.reason === "SIGINT" ? "SIGINT" : "SIGTERM"}: no new runs; ${worker.running().length} running`);
    void worker.stop(graceMs, reason);
  };
  if (signal.aborted) onSignal();
  else signal.addEventListener("abort", onSignal, { once: true });

  const summary = await worker.stopped;
  const lost = nc.isClosed();
  if (!lost) await nc.drain();
  log(`stopped: ${summary.finished} finished, ${summary.error} error, ${summary.returned} returned to the queue, ${summary.retried} retried, ${summary.refused} refused, ${summary.busy} sent back (work directory busy)`);
  if (lost && !signal.aborted) return ExitCode.platform;
  if (summary.returned > 0) return signal.reason instanceof AbortError && signal.reason.reason === "SIGINT" ? ExitCode.sigint : ExitCode.sigterm;
  return ExitCode.ok;
}
