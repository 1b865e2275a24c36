import { execFile } from "node:child_process";

export interface CommandOutput {
  ok: boolean;
  stdout: string;
  stderr: string;
  /** Why it failed: not found, the exit code, the timeout. */
  error?: string;
}

/** Runs a scheduler command (sbatch, squeue, sacct) and never throws: the caller decides what a failure means. */
export function runQuiet(command: string, args: string[], timeoutMs = 30_000): Promise<CommandOutput> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs, encoding: "utf8" }, (error, stdout, stderr) => {
      if (!error) return resolve({ ok: true, stdout, stderr });
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === "ENOENT" ? `${command} not found` : `${command} ${error.killed ? "timed out" : `exited ${String(code ?? error.message)}`}`;
      resolve({ ok: false, stdout, stderr, error: stderr.trim() ? `${why}: ${stderr.trim()}` : why });
    });
  });
}
