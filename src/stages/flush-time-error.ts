import { FlushTimeError, type ExitCodeValue } from "../errors.js";
import { flushSeconds } from "./flush-deadline.js";
import type { LeftUnsent } from "./left-unsent.js";
import { shellQuote } from "../text/shell-quote.js";

/** Outputs named one by one in the message; the rest are counted (the journal has them all). */
const LISTED_OUTPUTS = 20;

export interface FlushShortfall {
  /** Why the sends were bounded, e.g. "after the solver failed (exit code 1)". */
  cause: string;
  flushMs: number;
  /** Outputs the platform lacks, relative to outputs/. */
  outputs: readonly string[];
  left: Omit<LeftUnsent, "runId">;
  /** The run's config file, for the `sync` command line. */
  configPath?: string;
  /** The error's exit code, when not a platform error's (a signal's: the sends were bounded by it). */
  exitCode?: ExitCodeValue;
}

/** What the flush time left unsent, and the command that sends it later. */
export function flushTimeError(s: FlushShortfall): FlushTimeError {
  const lines = s.outputs.slice(0, LISTED_OUTPUTS).map((path) => `outputs/${path}`);
  if (s.outputs.length > LISTED_OUTPUTS) lines.push(`… and ${s.outputs.length - LISTED_OUTPUTS} more output file(s) (debug/uploads.json records what was sent)`);
  if (s.left.results) lines.push("the results of outputs/results.csv");
  for (const kind of s.left.archives) lines.push(`the ${kind} visualization archive`);
  if (s.left.resultZip) lines.push("result.zip");
  const sync = s.configPath
    ? `\`physicsworks-solve sync --configPath=${shellQuote(s.configPath)}\``
    : "`physicsworks-solve sync` (or syncRun()) with this run's config";
  return new FlushTimeError(
    `the flush time of ${flushSeconds(s.flushMs)} ${s.cause} ran out before everything reached the platform; not sent:\n` +
      `${lines.map((l) => `  ${l}`).join("\n")}\n` +
      `${sync} sends the rest later, to the same run`,
    s.exitCode,
  );
}
