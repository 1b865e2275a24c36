/** A run in progress, as the worker tracks it. */
export interface ActiveRun {
  id: string;
  controller: AbortController;
  /** Settles when the run's message has been acked or nak'ed. */
  settled: Promise<unknown>;
}

/**
 * The end of a worker: the runs in progress get `graceMs` to finish (and be acked); those still
 * running then are aborted (their solvers get SIGTERM, their own grace, SIGKILL) and, once they
 * have stopped, go back to the queue. Returns the ids that were aborted.
 */
export async function stopRuns(runs: ActiveRun[], graceMs: number, reason: Error, log: (line: string) => void): Promise<string[]> {
  if (runs.length === 0) return [];
  log(`stopping: ${runs.length} run(s) still running (${runs.map((r) => r.id).join(", ")}); waiting up to ${graceMs} ms for them to finish`);
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<"over">((done) => (timer = setTimeout(() => done("over"), graceMs)));
  const all = Promise.allSettled(runs.map((r) => r.settled));
  const first = await Promise.race([all, graceOver]);
  clearTimeout(timer);
  if (first !== "over") return [];
  const late: string[] = [];
  for (const run of runs) {
    if (!run.controller.signal.aborted) {
      late.push(run.id);
      run.controller.abort(reason);
    }
  }
  log(`grace time over: aborting ${late.join(", ")}; they go back to the queue`);
  await all;
  return late;
}
