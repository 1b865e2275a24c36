import { AbortError, ExitCode, UsageError } from "../errors.js";
import { wholeNumber } from "../config/whole-number.js";
import { natsOptionsFromFlags, type NatsFlags } from "../events/nats-flags.js";

/** Where a command prints: the process's streams, or a test's. */
export interface SweepIo {
  out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  err: NodeJS.WritableStream;
}
const processIo = (): SweepIo => ({ out: process.stdout, err: process.stderr });

export interface SweepPlanFlags {
  json?: boolean;
}

export interface SweepRunFlags extends NatsFlags {
  scheduler?: string;
  concurrency?: string;
  dryRun?: boolean;
  stream?: string;
  timeout?: string;
  grace?: string;
  quiet?: boolean;
}

export interface SweepStatusFlags {
  json?: boolean;
}

/** `sweep plan <spec>`: the points, without running them. */
export async function sweepPlanCommand(specPath: string, flags: SweepPlanFlags = {}, io: SweepIo = processIo()): Promise<number> {
  const { loadSweep, renderTable, sweepPaths } = await import("../sweep/index.js");
  const { spec, points } = await loadSweep(specPath);
  if (flags.json) {
    io.out.write(`${JSON.stringify(points, null, 2)}\n`);
    return ExitCode.ok;
  }
  const names = spec.parameters.map((p) => p.name);
  const table = { header: ["index", "dir", ...names], rows: points.map((p) => [String(p.index), p.dir, ...names.map((n) => String(p.parameters[n]))]) };
  io.out.write(renderTable(table));
  io.out.write(`\n${points.length} points (${spec.combine} of ${names.join(", ")}), runs in ${sweepPaths(spec).runs}/\n`);
  return ExitCode.ok;
}

/** `sweep run <spec>`: here in a bounded pool (default), as a SLURM job array, or into the NATS work queue. */
export async function sweepRunCommand(specPath: string, flags: SweepRunFlags, signal: AbortSignal, io: SweepIo = processIo()): Promise<number> {
  const scheduler = flags.scheduler ?? "local";
  if (scheduler !== "local" && scheduler !== "slurm" && scheduler !== "nats") {
    throw new UsageError(`--scheduler must be local, slurm or nats (got ${JSON.stringify(flags.scheduler)})`);
  }
  if (flags.dryRun && scheduler !== "slurm") throw new UsageError("--dryRun only goes with --scheduler slurm (it writes the sbatch script without submitting it)");
  // Flags of the points this process runs itself: with another scheduler they would be ignored.
  const localOnly = (["concurrency", "timeout", "grace", "quiet"] as const).filter((f) => flags[f] !== undefined);
  if (scheduler !== "local" && localOnly.length) {
    const how = scheduler === "slurm" ? "the spec's slurm fields say (slurm.maxParallel, slurm.time)" : "each worker's own flags say (worker --concurrency, the config's timeout and grace)";
    throw new UsageError(`${localOnly.map((f) => `--${f}`).join(", ")} only ${localOnly.length > 1 ? "go" : "goes"} with --scheduler local; with --scheduler ${scheduler}, ${how}`);
  }
  const concurrency = wholeNumber(flags.concurrency ?? "1", "--concurrency", 1, 1024);
  const sweep = await import("../sweep/index.js");
  const { spec, points } = await sweep.loadSweep(specPath);

  if (scheduler === "slurm") {
    const s = await sweep.submitSweepToSlurm({ spec, points, ...(flags.dryRun ? { dryRun: true } : {}) });
    for (const w of s.warnings) io.err.write(`warning: ${w}\n`);
    if (s.skipped.length) io.err.write(`sweep: ${s.skipped.length} of ${pointCount(points.length)} finished earlier, not submitted\n`);
    if (s.active.length) io.err.write(`sweep: ${sweep.activeTasksLine(s.active, points.length)}, not submitted again\n`);
    if (s.submitted.length === 0) {
      io.err.write(`sweep: nothing to submit${s.active.length ? "" : ": every point has finished"}\n`);
      return ExitCode.ok;
    }
    const count = pointCount(s.submitted.length);
    if (s.jobId) {
      io.err.write(`sweep: submitted ${count} as job array ${s.jobId} (${s.script}); follow it with: physicsworks-solve sweep status ${specPath}\n`);
      io.out.write(`${s.jobId}\n`);
    } else {
      io.err.write(
        `sweep: wrote ${s.script} for ${count}; \`sweep run --scheduler slurm\` without --dryRun submits it and records the job ` +
          "(a job submitted by hand with sbatch is not recorded: `sweep status` does not show it, and a later `sweep run` submits its points again)\n",
      );
      io.out.write(`${s.script}\n`);
    }
    return ExitCode.ok;
  }

  if (scheduler === "nats") {
    const connection = await natsOptionsFromFlags(flags);
    const { connectNats } = await import("../events/nats-connection.js");
    const nc = await connectNats({ ...connection, name: "physicsworks-solve sweep", maxReconnectAttempts: 3 });
    try {
      const stream = flags.stream ?? "PHYSICSWORKS_RUNS";
      const s = await sweep.submitSweepToNats(spec, points, nc, stream);
      for (const w of s.warnings) io.err.write(`warning: ${w}\n`);
      if (s.skipped.length) io.err.write(`sweep: ${s.skipped.length} of ${pointCount(points.length)} finished earlier, not queued\n`);
      if (s.queued.length) {
        const verb = s.queued.length === 1 ? "is" : "are";
        io.err.write(`sweep: ${s.queued.length} of ${pointCount(points.length)} ${verb} still in the work queue ${stream} (waiting or running), not queued again\n`);
      }
      if (s.ids.length === 0) io.err.write(`sweep: nothing to queue${s.queued.length ? "" : ": every point has finished"}\n`);
      io.out.write(s.ids.map((id) => `${id}\n`).join(""));
      return ExitCode.ok;
    } finally {
      await nc.drain();
    }
  }

  const { SweepDisplay } = await import("../sweep/sweep-display.js");
  const display = flags.quiet
    ? undefined
    : new SweepDisplay({ out: io.err, total: points.length, interactive: Boolean((io.err as { isTTY?: boolean }).isTTY) && process.env.TERM !== "dumb" });
  let outcome;
  try {
    outcome = await sweep.runSweepLocal({
      spec,
      points,
      concurrency,
      signal,
      ...(display ? { onEvent: (e) => display.onEvent(e) } : {}),
      runOptions: { ...(flags.timeout ? { timeout: flags.timeout } : {}), ...(flags.grace ? { grace: flags.grace } : {}) },
    });
  } finally {
    display?.close();
  }
  const table = sweep.resultsTable(spec, outcome.states);
  const csv = sweep.sweepPaths(spec).resultsCsv;
  await sweep.writeResultsCsv(csv, table);
  io.out.write(`\n${sweep.renderTable(table)}`);
  const failed = outcome.states.filter((s) => s.status === "error").length;
  const finished = outcome.states.filter((s) => s.status === "finished").length;
  io.out.write(`\n${finished} finished, ${failed} failed, ${points.length - finished - failed} not run of ${points.length} points; table in ${csv}\n`);
  if (outcome.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof AbortError ? reason.exitCode : ExitCode.sigint;
  }
  return failed ? ExitCode.solverFailed : ExitCode.ok;
}

/** `sweep status <spec>`: each point's run and, after a SLURM submission, its array task's state; rewrites sweep-results.csv. Exit 0 whatever the points' state. */
export async function sweepStatusCommand(specPath: string, flags: SweepStatusFlags = {}, io: SweepIo = processIo()): Promise<number> {
  const sweep = await import("../sweep/index.js");
  const { spec, points } = await sweep.loadSweep(specPath);
  const status = await sweep.sweepStatus(spec, points);
  for (const w of status.warnings) io.err.write(`warning: ${w}\n`);
  const extra = status.jobIds.length ? { name: "slurm", value: (s: { point: { index: number } }) => status.slurm.get(s.point.index) || "-" } : undefined;
  const table = sweep.resultsTable(spec, status.states, extra);
  await sweep.writeResultsCsv(sweep.sweepPaths(spec).resultsCsv, table);
  if (flags.json) {
    const rows = sweep.resultsRecords(spec, status.states, extra);
    io.out.write(`${JSON.stringify({ jobId: status.jobIds.at(-1) ?? null, jobIds: status.jobIds, points: rows }, null, 2)}\n`);
  } else {
    if (status.jobIds.length) io.out.write(`SLURM job${status.jobIds.length > 1 ? "s" : ""} ${status.jobIds.join(", ")}\n`);
    io.out.write(sweep.renderTable(table));
    const count = (st: string) => status.states.filter((s) => s.status === st).length;
    const running = count("running") ? `${count("running")} running, ` : "";
    io.out.write(`\n${count("finished")} finished, ${count("error")} failed, ${running}${count("pending")} pending of ${points.length} points\n`);
  }
  return ExitCode.ok;
}

/** "1 point", "3 points". */
function pointCount(n: number): string {
  return n === 1 ? "1 point" : `${n} points`;
}
