import { stat } from "node:fs/promises";
import { readConfigFile } from "../config/read-config-file.js";

/**
 * Polls the config file (JSON or YAML, as the run read it) and calls `onAbort` once it holds
 * `"abort": true`. Polling (not inotify) because the file is often written from another node on a
 * shared filesystem. A file that cannot be read or parsed, or an "abort" that is not true or false,
 * is told to `onProblem` once it has held for two looks in a row (a save in progress is not a
 * problem), and once per problem: "abort" is not watched meanwhile, and a user who wrote
 * `"abort": "yes"` must not believe the run is stopping.
 */
export function watchConfigForAbort(
  configPath: string,
  intervalMs: number,
  onAbort: () => void,
  onProblem: (message: string) => void = () => undefined,
): () => void {
  const look = configAbortLook(configPath, onAbort, onProblem);
  const timer = setInterval(() => void look.check(), intervalMs);
  timer.unref();
  return () => {
    look.stop();
    clearInterval(timer);
  };
}

/** One look at the config file per `check()` (a look already under way makes it a no-op), as watchConfigForAbort takes them. */
export function configAbortLook(
  configPath: string,
  onAbort: () => void,
  onProblem: (message: string) => void,
): { check(): Promise<void>; stop(): void } {
  let lastKey = "";
  let stopped = false;
  let busy = false;
  let pending: string | undefined;
  let told: string | undefined;
  const problem = (message: string) => {
    if (message === pending && message !== told) {
      told = message;
      onProblem(`${message}; "abort" in it is not watched until that is fixed`);
    }
    pending = message;
  };
  const check = async () => {
    if (busy || stopped) return;
    busy = true;
    try {
      const found = await stat(configPath).catch((error: NodeJS.ErrnoException) => error);
      if (found instanceof Error) return problem(`${configPath}: the config file is gone (${found.code ?? found.message})`);
      // The inode too: a save by rename (most editors) replaces it, whatever the mtime's grain.
      const key = `${found.ino}:${found.mtimeMs}:${found.size}`;
      if (key === lastKey) return;
      const config = await readConfigFile(configPath).catch((error: Error) => error);
      if (config instanceof Error) return problem(config.message);
      const abort = config.abort;
      if (abort !== undefined && abort !== null && typeof abort !== "boolean") {
        return problem(`${configPath}: "abort" must be true or false (got ${JSON.stringify(abort)})`);
      }
      // Read well: looked at again only when it changes.
      lastKey = key;
      pending = told = undefined;
      if (abort === true && !stopped) {
        stopped = true;
        onAbort();
      }
    } finally {
      busy = false;
    }
  };
  return {
    check,
    stop: () => {
      stopped = true;
    },
  };
}
