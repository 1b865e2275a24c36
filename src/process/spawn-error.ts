import { ConfigError, SolverError } from "../errors.js";

/**
 * Why the solver could not start, in words that point at the fix. A program that is not there or
 * may not be run is the set-up's error (ConfigError, exit 2), as a missing main script is; anything
 * else (the system out of processes, say) is the solver's failure.
 */
export function spawnError(argv: readonly string[], cause: unknown): ConfigError | SolverError {
  const program = argv[0] ?? "";
  const command = argv.map(quoteWord).join(" ");
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const isPath = program.includes("/");

  let reason: string;
  if (code === "ENOENT") {
    reason = isPath
      ? // execve also says ENOENT when the file exists but its "#!" interpreter does not.
        `${program} does not exist, or its "#!" interpreter does not; fix the path, or set "command" in config.json`
      : `"${program}" was not found on PATH; install it, or set "command" in config.json to the interpreter to use`;
  } else if (code === "EACCES") {
    reason = `${program} may not be run (permission denied); make it executable (chmod +x ${program}), or set "command" in config.json`;
  } else {
    reason = cause instanceof Error ? cause.message : String(cause);
    return new SolverError(`cannot start the solver (${command}): ${reason}`, { cause });
  }
  return new ConfigError(`cannot start the solver (${command}): ${reason}`, { cause });
}

function quoteWord(word: string): string {
  return /^[\w./:=@%+,-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
