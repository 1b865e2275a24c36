import { UsageError } from "../errors.js";
import type { RunSolverOptions } from "../options.js";
import type { RunResult } from "../run-result.js";
import { TerminalDisplay } from "./terminal-display.js";
import { renderSummary } from "./summary-text.js";

export interface RunFlags {
  configPath?: string;
  workDir?: string;
  startingStage?: string;
  skipStages?: string;
  debugMode?: boolean | string;
  timeout?: string;
  grace?: string;
  tokenFile?: string;
  quiet?: boolean;
  json?: boolean;
  offline?: boolean;
  offlineFallback?: boolean;
  watchPolling?: boolean;
  filesDuringRun?: boolean;
  settleTime?: string;
  flushTime?: string;
  uploadConcurrency?: string;
}

/** The default command: run one solver, draw its progress, print the summary; returns the exit code. */
export async function runCommand(flags: RunFlags, signal: AbortSignal): Promise<number> {
  // Loaded here so that --help and --version do not pay for the runner's dependencies.
  const { runSolverNamed } = await import("../run-solver.js");
  const debugMode = booleanFlag(flags.debugMode, "--debugMode");
  // --debugMode=false beside --quiet is a Python-style script's habit, not a conflict.
  if (flags.quiet && debugMode) throw new UsageError("--quiet and --debugMode ask for opposite things: pick one (--quiet prints warnings and errors only; --debugMode echoes everything)");
  // With --json, stdout carries only the JSON summary: the display moves to stderr.
  const out = flags.json ? process.stderr : process.stdout;
  const display = flags.quiet
    ? undefined
    : new TerminalDisplay({
        out,
        interactive: Boolean(out.isTTY) && process.env.TERM !== "dumb",
        echoSolver: Boolean(out.isTTY) || debugMode,
        verbose: debugMode,
      });
  const options: RunSolverOptions = { debugMode, signal };
  if (flags.configPath) options.configPath = flags.configPath;
  if (flags.workDir) options.workDir = flags.workDir;
  if (flags.startingStage) options.startingStage = flags.startingStage;
  if (flags.skipStages) options.skipStages = flags.skipStages;
  if (flags.timeout) options.timeout = flags.timeout;
  if (flags.grace) options.grace = flags.grace;
  if (flags.tokenFile) options.tokenFile = flags.tokenFile;
  if (flags.offline) options.offline = true;
  if (flags.offlineFallback) options.offlineFallback = true;
  if (flags.watchPolling) options.watchPolling = true;
  if (flags.filesDuringRun) options.filesDuringRun = true;
  if (flags.settleTime !== undefined) options.settleTime = flags.settleTime;
  if (flags.flushTime !== undefined) options.flushTime = flags.flushTime;
  if (flags.uploadConcurrency !== undefined) options.uploadConcurrency = flags.uploadConcurrency;
  options.onEvent = (event) => {
    if (display) display.onEvent(event);
    else if (event.type === "warning") process.stderr.write(`warning: ${event.message}\n`);
  };

  let result: RunResult;
  try {
    result = await runSolverNamed(options, "flags");
  } finally {
    display?.close();
  }
  if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (display) out.write(`\n${renderSummary(result)}`);
  else if (result.error) process.stderr.write(`physicsworks-solve: run ${result.status}: ${result.error.message}\n`);
  return result.exitCode;
}

/**
 * A flag given bare (`--debugMode`) or with a value (`--debugMode=True`, as the Python runner's
 * users write it): a value that is neither true nor false is refused rather than read as false.
 */
function booleanFlag(value: boolean | string | undefined, flag: string): boolean {
  if (value === undefined || typeof value === "boolean") return value === true;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new UsageError(`${flag} takes true or false (also 1/0, yes/no, on/off), or nothing for true; got ${JSON.stringify(value)}`);
}
