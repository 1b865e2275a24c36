import { hostname } from "node:os";
import { WorkDirBusyError } from "../errors.js";
import type { LockRecord } from "./lock-record.js";
import { seconds, type FoundLock } from "./lock-verdict.js";

/** The refusal: which work directory, who holds it since when, the lock file, and what to do. */
export function busyError(workDir: string, lockPath: string, found: FoundLock | undefined, now = Date.now(), what = "the work directory"): WorkDirBusyError {
  const holder = found ? describeHolder(found, now) : "runners that keep taking and releasing it";
  return new WorkDirBusyError(
    `${what} ${workDir} is in use by ${holder} (lock file ${lockPath}); ` +
      `wait for it to end, or, if that runner is gone, remove ${lockPath} and start again`,
    { workDir, lockPath },
  );
}

/** "a run of physicsworks-solve 0.1.0, pid 4711 on node7, lock refreshed 4 s ago, since 2025-…" */
export function describeHolder(found: FoundLock, now = Date.now()): string {
  const r: LockRecord | undefined = found.record;
  if (!r) return `a runner whose lock file is empty or damaged (written ${seconds(now - found.mtimeMs)} ago)`;
  const where = r.host === hostname() ? `pid ${r.pid} on this host (${r.host})` : `pid ${r.pid} on ${r.host}, lock refreshed ${seconds(now - found.mtimeMs)} ago`;
  return `a ${r.command} of physicsworks-solve ${r.version}, ${where}, since ${r.startedAt}`;
}
