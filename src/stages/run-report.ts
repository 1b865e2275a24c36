import { join } from "node:path";
import { isRunnerReport, writeRunReport } from "../report/index.js";
import type { RunResult } from "../run-result.js";
import type { Uploader } from "../upload/uploader.js";
import type { RunContext } from "./run-context.js";
import { sendReport } from "./send-artifacts.js";
import { beforeFlushDeadline } from "./flush-deadline.js";
import { writeLeftUnsent } from "./left-unsent.js";

/**
 * outputs/report.html from the run's result (debug/report.html when the solver wrote an
 * outputs/report.html of its own); with a host, sent under the run node's media. A report that
 * cannot be written or sent is a warning: it must not change how the run ended.
 */
export async function writeAndSendReport(ctx: RunContext, result: RunResult, onWritten: (reportPath: string) => Promise<void>): Promise<string | undefined> {
  let reportPath = join(ctx.paths.outputs, "report.html");
  // A report.html the solver wrote is one of its outputs: the runner's goes beside the run's records.
  if ((await isRunnerReport(reportPath)) === false) {
    reportPath = join(ctx.paths.debug, "report.html");
    ctx.emit({ type: "info", message: `outputs/report.html is the solver's own (sent as an output): the run report is ${reportPath}` });
  }
  try {
    await writeRunReport({ result, outputsDir: ctx.paths.outputs, mainLogPath: ctx.paths.mainLog, reportPath });
  } catch (error) {
    ctx.warn(`the run report could not be written: ${(error as Error).message}`);
    return undefined;
  }
  // Said (in debug/run.json) before it is sent: a runner killed while it goes leaves it to `sync`.
  await onWritten(reportPath).catch((error: unknown) => ctx.warn(`debug/run.json could not name the run report: ${(error as Error).message}`));
  // Once the flush time has run out nothing more is sent: `sync` sends the report with the rest.
  const session = ctx.platform;
  if (!session || session.sendsStopped) return reportPath;
  let unsent: string | undefined;
  try {
    // After an abort, a signal or a solver failure it keeps to the flush time.
    if ((await beforeFlushDeadline(ctx, () => sendReport(session, reportPath))) !== undefined) {
      session.stopSends();
      unsent = "was not sent within the flush time";
    }
  } catch (error) {
    unsent = `could not be sent: ${(error as Error).message}`;
  }
  if (unsent !== undefined) {
    // The record (merged with what the sends left) makes `sync` send it later, to this run.
    await writeLeftUnsent(ctx.paths.debug, { runId: ctx.runId, results: false, archives: [], resultZip: false }).catch(() => undefined);
    ctx.warn(`the run report ${unsent}; \`physicsworks-solve sync\` sends it later`);
  }
  return reportPath;
}

/** Before a final pass: outputs/report.html that is the solver's own (not a report of this runner's) goes as an output. */
export async function noteSolversReport(outputsDir: string, uploader: Uploader): Promise<void> {
  if ((await isRunnerReport(join(outputsDir, "report.html"))) === false) uploader.sendReportHtmlAsOutput();
}
