import { relative, sep } from "node:path";
import { watch } from "chokidar";
import { redact } from "../log/redact.js";
import { applyStateUpdate, StateFileReader } from "../progress/state-tracker.js";
import { parseStateLine } from "../progress/state-line.js";
import { followedDuringRun } from "../upload/output-kind.js";
import { reportProgress, solverToRunProgress } from "./phase-line.js";
import type { RunContext } from "./run-context.js";
import type { Stage } from "./stage.js";

/**
 * Follows outputs/ while the solver runs: every complete new line of state.txt updates the run's
 * progress and label, and (with a host) every live file that changes (every file, with
 * filesDuringRun) is handed to the uploader, files already there included. Ends with a final read
 * of state.txt once the solver is done.
 */
export const watchStage: Stage = {
  name: "watch",
  background: true,
  async run(ctx, control) {
    const reader = new StateFileReader(ctx.paths.stateFile);
    // Lines of an earlier run in the same work directory are history, not this run's progress.
    await reader.skipExisting();
    let reading: Promise<void> = Promise.resolve();
    const readMore = (final = false) => (reading = reading.then(() => readStateLines(ctx, reader, final)));

    const uploader = ctx.platform?.uploader;
    const scope = !uploader ? "state" : ctx.options.tuning.filesDuringRun ? "all" : "live";
    const rel = (path: string) => relative(ctx.paths.outputs, path).split(sep).join("/");
    const watcher = watch(ctx.paths.outputs, {
      ignoreInitial: !uploader,
      usePolling: ctx.options.watchPolling,
      // A link is an output of its own, judged by the uploader's rules (where it leads); followed,
      // a link to a folder would be walked into, out of the work directory or round a loop.
      followSymlinks: false,
      ignored: (path) => !followedDuringRun(rel(path), scope),
    });
    // A folder that cannot be watched (ELOOP, EACCES, too many watches): told once; the final pass
    // still scans everything. Unhandled, chokidar's error would end the runner.
    let watchFailed = false;
    watcher.on("error", (error) => {
      if (watchFailed) return;
      watchFailed = true;
      ctx.warn(`watching outputs/ failed (${(error as Error).message}); what is not seen now is sent after the solver`);
    });
    watcher.on("all", (event, path) => {
      if (event !== "add" && event !== "change") return;
      const file = rel(path);
      if (file === "state.txt") void readMore();
      else uploader?.notify(file);
    });
    // inotify does not see writes made on other nodes of a shared filesystem: poll state.txt as well.
    const timer = setInterval(() => void readMore(), ctx.options.pollIntervalMs);
    try {
      await control.foregroundDone;
    } finally {
      clearInterval(timer);
      await watcher.close();
    }
    await readMore(true);
    return `${ctx.state.progress}% — ${ctx.state.label || "no state.txt updates"}`;
  },
};

async function readStateLines(ctx: RunContext, reader: StateFileReader, final: boolean): Promise<void> {
  for (;;) {
    const lines = await reader.readNewLines({ final });
    if (lines.length === 0) return;
    for (const line of lines) {
      if (ctx.state.runnerStateLines.delete(line)) continue;
      const parsed = parseStateLine(line);
      if (!parsed) continue;
      // Its words redacted (parsed first: a secret may look like a date or a number): a label goes
      // to the platform, the terminal, run.json and the report.
      const update = { ...parsed, label: redact(parsed.label, ctx.options.secrets), ...(parsed.step !== undefined ? { step: redact(parsed.step, ctx.options.secrets) } : {}) };
      const next = applyStateUpdate(
        { progress: ctx.state.progress, label: ctx.state.label, stepFailed: ctx.state.stepFailed, lines: 0 },
        update.progress === undefined ? update : { ...update, progress: solverToRunProgress(update.progress) },
      );
      if (next.stepFailed && !ctx.state.stepFailed) {
        ctx.state.stepFailed = true;
        ctx.state.errorLabel = next.errorLabel ?? update.label;
        ctx.warn(`state.txt reports an error: ${ctx.state.errorLabel}`);
      }
      reportProgress(ctx, next.progress, next.label);
    }
  }
}
