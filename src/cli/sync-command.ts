import type { RunSolverOptions } from "../options.js";
import { TerminalDisplay } from "./terminal-display.js";

export interface SyncFlags {
  configPath?: string;
  workDir?: string;
  tokenFile?: string;
  json?: boolean;
}

/** `physicsworks-solve sync`: sends what an offline run left in its work directory. */
export async function syncCommand(flags: SyncFlags): Promise<number> {
  const { syncRunNamed } = await import("../sync-run.js");
  // With --json, stdout carries only the JSON: the progress goes to stderr.
  const out = flags.json ? process.stderr : process.stdout;
  const display = new TerminalDisplay({ out, interactive: Boolean(out.isTTY), echoSolver: false, verbose: false });
  const options: RunSolverOptions = { onEvent: display.onEvent };
  if (flags.configPath) options.configPath = flags.configPath;
  if (flags.workDir) options.workDir = flags.workDir;
  if (flags.tokenFile) options.tokenFile = flags.tokenFile;
  let result;
  try {
    result = await syncRunNamed(options, "flags");
  } finally {
    display.close();
  }
  if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else if (result.outcome === "already") process.stdout.write(`run ${result.runId} is on the platform already; nothing to send\n`);
  // The outputs the platform now has, some perhaps sent by the run itself; the progress line above
  // counted every file this sync sent, the report and archives too.
  else process.stdout.write(`run ${result.runId} is on the platform: its ${result.files} output files, results and final status\n`);
  return 0;
}
