import { AbortError, abortMessage, type AbortReason } from "../errors.js";
import { formatDuration } from "../config/duration.js";
import { watchConfigForAbort } from "./config-abort-watcher.js";

export interface RunAbortSources {
  /** The caller's signal; an AbortError reason keeps its kind (SIGINT, SIGTERM), anything else is a user abort. */
  signal?: AbortSignal;
  configPath?: string;
  pollIntervalMs: number;
  timeoutMs?: number;
  /** Told when the config file cannot be watched for "abort" (see watchConfigForAbort). */
  onConfigProblem?: (message: string) => void;
}

export interface RunAbort {
  signal: AbortSignal;
  abort(reason: AbortReason): void;
  dispose(): void;
}

/** One AbortSignal for the run, aborted by whichever source comes first; its reason is an AbortError. */
export function createRunAbort(sources: RunAbortSources): RunAbort {
  const controller = new AbortController();
  const abort = (reason: AbortReason, message = abortMessage(reason)) => {
    if (!controller.signal.aborted) controller.abort(new AbortError(reason, message));
  };
  const cleanups: (() => void)[] = [];

  const outer = sources.signal;
  if (outer) {
    const onAbort = () => abort(outer.reason instanceof AbortError ? outer.reason.reason : "user");
    if (outer.aborted) onAbort();
    else {
      outer.addEventListener("abort", onAbort, { once: true });
      cleanups.push(() => outer.removeEventListener("abort", onAbort));
    }
  }
  if (sources.configPath) {
    cleanups.push(watchConfigForAbort(sources.configPath, sources.pollIntervalMs, () => abort("user"), sources.onConfigProblem));
  }
  if (sources.timeoutMs !== undefined) {
    const limit = formatDuration(sources.timeoutMs);
    const timer = setTimeout(() => abort("timeout", abortMessage("timeout", limit)), sources.timeoutMs);
    cleanups.push(() => clearTimeout(timer));
  }
  return {
    signal: controller.signal,
    abort,
    dispose: () => cleanups.forEach((c) => c()),
  };
}
