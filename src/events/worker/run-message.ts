import type { JetStreamClient, JsMsg } from "nats";
import { ExitCode, PhysicsWorksError, WorkDirBusyError } from "../../errors.js";
import { answerQuietly } from "../answer-quietly.js";
import type { RunSolverOptions } from "../../options.js";
import type { RunResult } from "../../run-result.js";
import type { BusyCounts } from "./busy-counts.js";
import { publishDone, type DoneRecord } from "./done-record.js";
import { validateRunRequest } from "./run-request.js";
import { prepareRunDir, requestWorkDir } from "./run-work-dir.js";
import { checkWorkDirFree } from "../../work-lock/work-dir-lock.js";
import type { WorkQueueNames } from "./work-queue.js";

export type RunOutcome = "finished" | "error" | "returned" | "retry" | "refused" | "busy";

export interface RunMessageContext {
  js: JetStreamClient;
  names: WorkQueueNames;
  workRoot: string;
  worker: string;
  run: (options: RunSolverOptions) => Promise<RunResult>;
  runOptions: Partial<RunSolverOptions>;
  /** How often the message is kept alive with working(): well under the consumer's ack wait. */
  heartbeatMs: number;
  maxAttempts: number;
  retryDelayMs: number;
  /** How long a request whose work directory another runner holds waits before it is tried again. */
  busyDelayMs: number;
  busy: BusyCounts;
  controller: AbortController;
  log: (line: string) => void;
}

/** Errors runSolver raises before a run starts that would come back on any node: a bad config is a done run (status error), not a crash. */
const DETERMINISTIC = new Set(["config", "usage", "archive"]);

/**
 * One delivery of a run request, from the message to its ack: the run is done (acked) whether it
 * finished or ended in error; a crash of the handling (a full disk, an unreadable shared path) is
 * nak'ed so another node takes it; a run aborted by the worker's stop is nak'ed at once. A run
 * whose work directory another runner holds (an earlier delivery still running on a worker cut off
 * from NATS, a user's run) is nak'ed with busyDelayMs: not done, and not a delivery that failed.
 */
export async function runMessage(msg: JsMsg, ctx: RunMessageContext): Promise<RunOutcome> {
  const delivery = msg.info.redeliveryCount;
  let value: unknown;
  try {
    value = JSON.parse(msg.string());
  } catch (error) {
    ctx.log(`request (stream seq ${msg.seq}) is not JSON (${(error as Error).message}); terminated`);
    answerQuietly(() => msg.term());
    return "refused";
  }
  const checked = validateRunRequest(value);
  if (!checked.ok) {
    answerQuietly(() => msg.term());
    const why = checked.problems.join("; ");
    ctx.log(`request (stream seq ${msg.seq}) refused: ${why}; terminated`);
    const id = (value as { id?: unknown } | null)?.id;
    if (typeof id === "string" && id) await record(ctx, { id, status: "error", exitCode: ExitCode.usage, delivery, error: `invalid run request: ${why}` });
    return "refused";
  }
  const request = checked.data;
  // Before the attempts are counted: the deliveries a busy work directory sends back did not fail,
  // and before prepareRunDir, which would move a live run's folder aside.
  const workDir = await requestWorkDir(ctx.workRoot, request);
  if (workDir) {
    try {
      await checkWorkDirFree(workDir);
    } catch (error) {
      if (error instanceof WorkDirBusyError) return backWhenFree(msg, ctx, request.id, error);
      throw error;
    }
  }
  const waited = delivery > ctx.maxAttempts ? await ctx.busy.of(request.id) : 0;
  if (delivery - waited > ctx.maxAttempts) {
    answerQuietly(() => msg.term());
    const why = `given up after ${delivery - waited - 1} deliveries that did not complete (the workers died, or could not set it up)`;
    ctx.log(`run ${request.id}: ${why}; terminated`);
    await record(ctx, { id: request.id, status: "error", exitCode: ExitCode.solverFailed, delivery, error: why });
    return "refused";
  }

  const heartbeat = setInterval(() => answerQuietly(() => msg.working()), ctx.heartbeatMs);
  try {
    ctx.log(`run ${request.id}: taken (delivery ${delivery})`);
    let configPath: string;
    try {
      configPath = await prepareRunDir(ctx.workRoot, request);
    } catch (error) {
      // This node could not lay the run out (full disk, a shared path not mounted here): another node may.
      ctx.log(`run ${request.id}: cannot prepare its work directory (${messageOf(error)}); back to the queue in ${ctx.retryDelayMs} ms`);
      answerQuietly(() => msg.nak(ctx.retryDelayMs));
      return "retry";
    }
    let result: RunResult;
    try {
      result = await ctx.run({ ...ctx.runOptions, configPath, signal: ctx.controller.signal });
    } catch (error) {
      if (error instanceof WorkDirBusyError) return backWhenFree(msg, ctx, request.id, error);
      if (error instanceof PhysicsWorksError && DETERMINISTIC.has(error.code)) {
        ctx.log(`run ${request.id}: cannot start: ${error.message}`);
        await record(ctx, { id: request.id, status: "error", exitCode: error.exitCode, delivery, error: error.message });
        await ack(msg, ctx, request.id);
        return "error";
      }
      ctx.log(`run ${request.id}: the runner failed (${messageOf(error)}); back to the queue in ${ctx.retryDelayMs} ms`);
      answerQuietly(() => msg.nak(ctx.retryDelayMs));
      return "retry";
    }
    // Back to the queue only when the stop cut the run short: one whose only failure was sending
    // (its final status, say, bounded by the stop's flush time) has done its work.
    if (result.status === "error" && ctx.controller.signal.aborted && !result.sendsFailedOnly) {
      answerQuietly(() => msg.nak());
      ctx.log(`run ${request.id}: aborted by the worker's stop; returned to the queue`);
      return "returned";
    }
    ctx.log(`run ${request.id}: ${result.status} in ${(result.durationMs / 1000).toFixed(1)} s (exit ${result.exitCode})${result.error ? `: ${result.error.message}` : ""}`);
    await record(ctx, {
      id: request.id,
      status: result.status,
      runId: result.runId,
      exitCode: result.exitCode,
      delivery,
      durationMs: result.durationMs,
      workDir: result.workDir,
      ...(result.error ? { error: result.error.message } : {}),
    });
    await ack(msg, ctx, request.id);
    return result.status;
  } finally {
    clearInterval(heartbeat);
  }
}

/** Another runner works in the run's folder: the request goes back to the queue, to be tried once it may be done. */
async function backWhenFree(msg: JsMsg, ctx: RunMessageContext, id: string, error: WorkDirBusyError): Promise<RunOutcome> {
  ctx.log(`run ${id}: ${error.message}; back to the queue in ${ctx.busyDelayMs} ms`);
  await ctx.busy.add(id);
  answerQuietly(() => msg.nak(ctx.busyDelayMs));
  return "busy";
}

async function record(ctx: RunMessageContext, fields: Omit<DoneRecord, "worker" | "finishedAt">): Promise<void> {
  try {
    await publishDone(ctx.js, ctx.names, { ...fields, worker: ctx.worker, finishedAt: new Date().toISOString() });
  } catch (error) {
    ctx.log(`run ${fields.id}: the done record could not be published (${(error as Error).message}); \`queue\` will not count it`);
  }
  // Only a request delivered before can have found its work directory busy.
  if (fields.delivery > 1) await ctx.busy.clear(fields.id);
}

/** A confirmed ack: once it returns, the request has left the queue and no other worker will run it. */
async function ack(msg: JsMsg, ctx: RunMessageContext, id: string): Promise<void> {
  try {
    await msg.ackAck({ timeout: 10_000 });
  } catch (error) {
    ctx.log(`run ${id}: the ack was not confirmed (${(error as Error).message}); the run may be delivered again`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
