import { abortErrorOf, type AbortReason } from "../errors.js";
import type { RunContext } from "./run-context.js";

/**
 * After the flush time has run out and the sends were told to stop, how long they get to wind
 * down (their requests are aborted, so they end at once) before the run goes on without them.
 */
const STOP_GRACE_MS = 1000;

export type FlushOutcome<T> = { done: true; value: T } | { done: false; cause: string };

/**
 * Why sending to the platform is bounded by the flush time (protocol.md part 1: "after an abort,
 * a signal or a solver failure"), e.g. "after the solver failed (exit code 1)"; undefined after a
 * run that went normally, whose sends take the time they take.
 */
export function flushCause(ctx: RunContext): string | undefined {
  if (ctx.signal.aborted) return abortCause(abortErrorOf(ctx.signal).reason);
  const solver = ctx.state.solver;
  if (!solver || solver.aborted) return undefined;
  if (solver.exitCode === null) return `after the solver was killed by ${solver.signal ?? "a signal"}`;
  if (solver.exitCode !== 0) return `after the solver failed (exit code ${solver.exitCode})`;
  return undefined;
}

function abortCause(reason: AbortReason): string {
  switch (reason) {
    case "user":
      return "after the abort";
    case "timeout":
      return "after the time limit (--timeout, or \"timeout\" in the config)";
    case "SIGINT":
    case "SIGTERM":
      return `after ${reason}`;
  }
}

export function flushSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))}s`;
}

/** Sets the flush time's deadline from now and says why it runs (e.g. "after SIGTERM"); answers the deadline. */
function startFlushClock(ctx: RunContext, why: string): number {
  const flushMs = ctx.options.tuning.flushMs;
  ctx.emit({ type: "info", message: `${why}: what is pending goes to the platform within the flush time of ${flushSeconds(flushMs)}` });
  return (ctx.state.flushDeadline = Date.now() + flushMs);
}

/**
 * Runs `send` within the flush time (ctx.options.tuning.flushMs): from now when flushCause says
 * so, else from an abort that comes while it runs (the node may be taken away soon after a
 * signal: SLURM's --signal lead time). When the time runs out, `stop` is called, the send gets a
 * moment to wind down, and the outcome says why it was bounded; it is not waited for longer.
 */
export async function withinFlushTime<T>(ctx: RunContext, send: () => Promise<T>, stop: () => void): Promise<FlushOutcome<T>> {
  const flushMs = ctx.options.tuning.flushMs;
  let cause = flushCause(ctx);
  let timer: NodeJS.Timeout | undefined;
  let expire!: () => void;
  const expired = new Promise<undefined>((resolve) => (expire = () => resolve(undefined)));
  const arm = (why: string) => {
    cause = why;
    startFlushClock(ctx, why);
    timer = setTimeout(expire, flushMs);
  };
  const onAbort = () => arm(abortCause(abortErrorOf(ctx.signal).reason));
  if (cause) arm(cause);
  else ctx.signal.addEventListener("abort", onAbort, { once: true });
  const work = send();
  try {
    const finished = await Promise.race([work.then((value) => ({ value })), expired]);
    if (finished) return { done: true, value: finished.value };
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener("abort", onAbort);
  }
  stop();
  let grace: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => undefined), new Promise((resolve) => (grace = setTimeout(resolve, STOP_GRACE_MS)))]);
  clearTimeout(grace);
  return { done: false, cause: cause ?? "after the abort" };
}

/**
 * After the send phase, what still goes to the platform (the run report, the final status) keeps
 * to the flush time's deadline when there is one, given at least `leastMs`: undefined when `work`
 * ended in time, or the ms it was given when it did not (it is not waited for longer). Without a
 * deadline (a run that went normally), a signal or an abort that comes while `work` goes sets one,
 * the flush time from then on, as withinFlushTime does for the sends.
 */
export async function beforeFlushDeadline(ctx: RunContext, work: () => Promise<unknown>, leastMs = 0): Promise<number | undefined> {
  // Started at once only without a deadline; with one, only when time is left (nothing more is
  // sent once the flush time has run out).
  let running: Promise<unknown> | undefined;
  let deadline = ctx.state.flushDeadline;
  if (deadline === undefined) {
    running = work();
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<"aborted">((resolve) => {
      onAbort = () => resolve("aborted");
      if (ctx.signal.aborted) onAbort();
      else ctx.signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      if ((await Promise.race([running.then(() => "done" as const), aborted])) === "done") return undefined;
    } finally {
      if (onAbort) ctx.signal.removeEventListener("abort", onAbort);
    }
    deadline = startFlushClock(ctx, abortCause(abortErrorOf(ctx.signal).reason));
  }
  const givenMs = Math.max(deadline - Date.now(), leastMs);
  if (givenMs <= 0) {
    running?.catch(() => undefined); // not waited for
    return 0;
  }
  const bounded = running ?? work();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<number>((resolve) => (timer = setTimeout(() => resolve(givenMs), givenMs)));
  try {
    return await Promise.race([bounded.then(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}
