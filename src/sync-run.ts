import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createRunAbort } from "./control/run-abort.js";
import { ConfigError, ExitCode, PlatformError, UsageError } from "./errors.js";
import { RunnerLog } from "./log/runner-log.js";
import { optionName, resolveRunOptions, type OptionNaming, type RunOptions, type RunSolverOptions } from "./options.js";
import { writeRunJson } from "./run-json.js";
import type { RunResult } from "./run-result.js";
import type { RunNode } from "./platform/types.js";
import { buildVisualizationArchives } from "./postprocess/index.js";
import { writeRunReport } from "./report/index.js";
import { openPlatformSession, type PlatformSession } from "./stages/platform-session.js";
import { uploadProgress } from "./stages/post-process-stage.js";
import { reportEntryId, sendArchives, sendReport, sendResultZip } from "./stages/send-artifacts.js";
import { readPlatformRunFile } from "./stages/platform-run-file.js";
import { readLeftUnsent, removeLeftUnsent } from "./stages/left-unsent.js";
import { createRunContext, type RunContext } from "./stages/run-context.js";
import { outputKind } from "./upload/output-kind.js";
import { workPaths } from "./work-paths.js";
import { isFolder, pathExists } from "./fs/path-kind.js";
import { shownHost } from "./config/host-url.js";
import { EveryStep } from "./stages/every-step.js";
import { unsentOutputLines } from "./stages/unsent-lines.js";
import { noteSolversReport } from "./stages/run-report.js";
import { takeWorkDirLock, type WorkDirLock } from "./work-lock/work-dir-lock.js";

export interface SyncResult {
  /** "sent": the run is now on the platform; "already": a previous sync (or the run itself) sent it. */
  outcome: "sent" | "already";
  runId: string;
  /** The run's outputs on the platform once the sync is done (those the run sent itself too); 0 for "already". */
  files: number;
  failed: { path: string; error: string }[];
}

/**
 * Sends a run that went on without its platform (offline, or the platform unreachable): the run
 * node, the results, every output, and the final status the run ended with; or, to its own run
 * node, what a run could not send (debug/left-unsent.json: its flush time ran out, or sends
 * failed). Safe to run twice: the journal says what the platform has of the outputs, the run node
 * which of the runner's archives, result.zip and report it lists, and a run whose final status
 * went through with nothing left is left alone.
 */
export async function syncRun(input: RunSolverOptions): Promise<SyncResult> {
  return syncRunNamed(input, "fields");
}

/** syncRun, its option errors naming the options as `naming` says (the CLI: its flags). */
export async function syncRunNamed(input: RunSolverOptions, naming: OptionNaming): Promise<SyncResult> {
  const { options } = await resolveRunOptions(input, "sync", naming);
  // A sync while the run still goes, or beside another sync, would send the same outputs twice.
  // Without a host, or without debug/ (no run to send), syncLocked says what is wrong.
  const lockable = options.platform && (await isFolder(workPaths(options.workDir).debug));
  const lock = lockable ? await takeWorkDirLock(options.workDir, { command: "sync" }) : undefined;
  try {
    return await syncLocked(input, options, lock, naming);
  } finally {
    await lock?.release();
  }
}

async function syncLocked(input: RunSolverOptions, options: RunOptions, lock: WorkDirLock | undefined, naming: OptionNaming): Promise<SyncResult> {
  const target = options.platform;
  if (!target) {
    throw new ConfigError(
      options.configPath
        ? `${options.configPath}: sync needs "host" (or PHYSICSWORKS_HOST) and the platform fields (token, project, simulation, job, owner)`
        : `sync needs the run's platform: pass ${optionName("configPath", naming)} with the run's config.json ("host", "token", project, simulation, job, owner)`,
    );
  }
  const paths = workPaths(options.workDir);
  const result = await readRunResult(paths.runJson, naming);
  const previous = await readPlatformRunFile(join(paths.debug, "platform-run.json"));
  const ownRun = previous && previous.runId === target.resourceId ? previous : undefined;
  // A run whose flush time ran out did not send everything: the rest goes to it, and only the rest,
  // also when its final status did not go through either (the platform slow, then down).
  const left = ownRun ? await readLeftUnsent(paths.debug, ownRun.runId) : undefined;
  if (ownRun?.finalSent && !left) {
    return { outcome: "already", runId: ownRun.runId, files: 0, failed: [] };
  }

  const log = new RunnerLog(paths.runnerLog, options.secrets);
  const abort = createRunAbort({ pollIntervalMs: options.pollIntervalMs });
  const ctx = createRunContext(options, result.runId, paths, abort, (event) => {
    log.event(event);
    input.onEvent?.(event);
  });
  log.line(`sync of run ${result.runId} (${result.status}) to ${shownHost(target.host)}`);
  if (lock?.tookOver) ctx.emit({ type: "info", message: lock.tookOver });
  lock?.onLost((m) => ctx.warn(m));
  const session = await openPlatformSession(ctx, target, { resumeFinished: Boolean(left) });
  try {
    // A run whose final status went through keeps it: were this sync to fail, the node would show
    // `running` for a run that has ended. The end of the sync sends that final status again.
    if (!(left && ownRun?.finalSent)) {
      const label = left ? "sending what the run left unsent" : "sending the results of an offline run";
      session.reporter.status("running", Math.min(result.progress, 90), label);
    }
    // A refused results patch or a failed archive must not keep the outputs from being sent, as in
    // the run's own post-processing: the first such failure is thrown after the final pass.
    const steps = new EveryStep();
    // After a flush time, only what it left: what the run sent is on the platform already.
    if (result.results.length && (left?.results ?? true)) {
      await steps.run(() => session.client.patchResults(session.reporter.node.id, result.results));
    }
    const { archives, warnings } = await buildVisualizationArchives({ workDir: paths.workDir, simulation: target.simulation, runId: session.reporter.node.id });
    warnings.forEach((w) => ctx.warn(w));
    archives.forEach((a) => session.uploader.leave(a.files));
    // What the node lists already is not sent again (sent again, it would be the same entry: runEntryId).
    const listed = listedArtifacts(session.reporter.node);
    await steps.run(() => sendArchives(session, archives.filter((a) => !listed.has(a.kind))));
    await noteSolversReport(paths.outputs, session.uploader);
    const { failed } = await session.uploader.finalPass(uploadProgress(ctx));
    const zip = join(paths.outputs, "result.zip");
    // Only the run's own (an earlier run's may be there); a run.json that does not say: whatever is there.
    const runsZip = result.resultZip ?? true;
    // Each tried whatever failed before it: a refused result.zip must not keep the report back.
    if (runsZip && !listed.has("result.zip") && (await pathExists(zip))) await steps.run(() => sendResultZip(session, zip));
    // A run that failed only to send is finished once everything it left has gone: its report, which
    // says error, is written again and sent at the end (below), once the rest has gone.
    const repaired = result.status === "error" && result.sendsFailedOnly === true;
    if (!repaired && result.report && !listed.has("report") && (await pathExists(result.report))) await steps.run(() => sendReport(session, result.report as string));
    if (steps.failures.length) {
      await session.reporter.flush().catch(() => undefined);
      throw steps.failures[0];
    }
    const files = result.outputs.filter((o) => outputKind(o.path).kind !== "skip").length - failed.length;
    if (failed.length) {
      await session.reporter.flush().catch(() => undefined);
      const lines = unsentOutputLines(failed).map((l) => `  ${l}`);
      throw new PlatformError(`${failed.length} output file(s) could not be sent; run sync again:\n${lines.join("\n")}`);
    }
    const fixed = repaired ? repairedResult(result) : undefined;
    if (fixed && result.report) await sendRepairedReport(ctx, session, fixed, result.report);
    const status = fixed ? "finished" : result.status;
    await session.reporter.finish(status, status === "finished" ? "finished" : (result.error?.message.split("\n")[0] ?? "error"));
    await session.markFinalSent();
    if (fixed) await writeRunJson(paths.runJson, fixed);
    // Whatever it named is on the platform now: a second sync finds the final status sent and answers "already".
    await removeLeftUnsent(paths.debug);
    log.line(`sync done: run node ${session.reporter.node.id}`);
    return { outcome: "sent", runId: session.reporter.node.id, files, failed };
  } finally {
    await session.close();
    abort.dispose();
    await log.close();
  }
}

/**
 * Which of the runner's own artifacts (the visualization archives by kind, "result.zip",
 * "report") the run node lists, as the platform last accepted it (debug/platform-run.json). For a run whose flush
 * time ran out, this says more than debug/left-unsent.json: an artifact the run sent may have had
 * its entry refused with the final status, and one a failed sync sent is listed here but still
 * named there.
 */
function listedArtifacts(node: RunNode): Set<string> {
  const listed = new Set<string>();
  const report = reportEntryId(node.id);
  for (const child of node.children) {
    if (child.slug === "media" && child.children?.some((entry) => entry.id === report)) listed.add("report");
    if (child.slug !== "graphics" && child.slug !== "downloadables") continue;
    for (const entry of child.children ?? []) {
      if (entry.slug === "vtp" || entry.slug === "gltf" || entry.slug === "result.zip") listed.add(entry.slug);
    }
  }
  return listed;
}

/**
 * The report of a run sync has repaired, written again as finished and sent (again: the same
 * entry, runEntryId, with the new content). A failure is a warning: the run's outputs are all there.
 */
async function sendRepairedReport(ctx: RunContext, session: PlatformSession, fixed: RunResult, reportPath: string): Promise<void> {
  try {
    await writeRunReport({ result: fixed, outputsDir: ctx.paths.outputs, mainLogPath: ctx.paths.mainLog, reportPath });
    await sendReport(session, reportPath);
  } catch (error) {
    ctx.warn(`the run report, written again as finished, could not be sent: ${(error as Error).message}; the platform keeps the earlier one`);
  }
}

/** The run as sync leaves it when sending was all that failed: finished, the failure kept as a warning. */
function repairedResult(result: RunResult): RunResult {
  const { error, sendsFailedOnly: _sent, ...rest } = result;
  const when = new Date().toISOString();
  const warning = `${error?.message.split("\n")[0] ?? "sending failed"}: what the run could not send, sync sent (${when})`;
  // The stage that failed did so sending (post-processing): what it left has gone now.
  const stages = result.stages.map(({ error: _failure, ...stage }) =>
    stage.status === "failed" ? { ...stage, status: "finished" as const, note: `what it could not send, sync sent (${when})` } : stage,
  );
  return { ...rest, stages, status: "finished", exitCode: ExitCode.ok, progress: 100, warnings: [...result.warnings, warning] };
}

async function readRunResult(path: string, naming: OptionNaming): Promise<RunResult> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UsageError(`nothing to sync: ${path} is missing; run the solver first (with ${optionName("offline", naming)}, or let it fall back with ${optionName("offlineFallback", naming)})`);
    throw new UsageError(`nothing to sync: cannot read ${path} (${code ?? String(error)})`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // The parser's message would quote the file; where it broke does not help: the file has to be written again.
    throw new UsageError(`${path} is not a run summary (not valid JSON: cut short or damaged); run the solver again to write it`, { cause: error });
  }
  // sync sends what the summary lists: a file cut short or edited by hand must stop here, not halfway through the upload.
  const wrong = runSummaryProblem(parsed);
  if (wrong) throw new UsageError(`${path} is not a run summary (${wrong}); run the solver again to write it`);
  return parsed as RunResult;
}

/** What keeps `value` from being the RunResult sync reads, or undefined when it is one. */
function runSummaryProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return `got ${value === null ? "null" : Array.isArray(value) ? "a list" : typeof value}, not an object`;
  const r = value as Record<string, unknown>;
  if (r.status !== "finished" && r.status !== "error") return `"status" must be "finished" or "error" (got ${JSON.stringify(r.status) ?? "nothing"})`;
  const missingOr = (key: string, what: string) => `"${key}" is ${r[key] === undefined ? "missing" : `not ${what}`}`;
  if (typeof r.runId !== "string" || !r.runId) return missingOr("runId", "a run id");
  if (typeof r.progress !== "number") return missingOr("progress", "a number");
  if (!Array.isArray(r.results)) return missingOr("results", "a list");
  if (!Array.isArray(r.outputs)) return missingOr("outputs", "a list");
  if (r.resultZip !== undefined && typeof r.resultZip !== "boolean") return `"resultZip" is not true or false`;
  return undefined;
}
