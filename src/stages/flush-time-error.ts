import { FlushTimeError, type ExitCodeValue } from "../errors.js";
import { flushSeconds } from "./flush-deadline.js";
import type { LeftUnsent } from "./left-unsent.js";
import { syncCommandFor, unsentOutputLines } from "./unsent-lines.js";

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
  const lines = unsentOutputLines(s.outputs.map((path) => ({ path })));
  if (s.left.results) lines.push("the results of outputs/results.csv");
  for (const kind of s.left.archives) lines.push(`the ${kind} visualization archive`);
  if (s.left.resultZip) lines.push("result.zip");
  const sync = syncCommandFor(s.configPath);
  return new FlushTimeError(
    `the flush time of ${flushSeconds(s.flushMs)} ${s.cause} ran out before everything reached the platform; not sent:\n` +
      `${lines.map((l) => `  ${l}`).join("\n")}\n` +
      `${sync} sends the rest later, to the same run`,
    s.exitCode,
  );
}
