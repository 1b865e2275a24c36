import { hostname } from "node:os";
import { killProcessGroup } from "./kill-process-group.js";
import { isProcessGroupAlive } from "./process-group-alive.js";
import { groupMemberHasEnv } from "./group-member-env.js";
import { hasExited, processStat } from "./process-stat.js";
import { readSolverGroupRecord, removeSolverGroupRecord, type SolverGroupRecord } from "./solver-group-record.js";

export interface StopRecordedGroupOptions {
  /** The work directory the solver ran for: its leftover children carry it as PHYSICSWORKS_WORK_DIR. */
  workDir: string;
  /** SIGTERM, this long for the group to end, then SIGKILL. */
  graceMs: number;
  pollMs?: number;
}

/** A recorded group that was still running: `gone` false when it could not be ended (a member under another user). */
export interface StoppedGroup {
  record: SolverGroupRecord;
  gone: boolean;
}

/**
 * Ends the solver group recorded at `recordPath` when it still runs on this host, and removes the
 * record once the group is gone. Undefined when there was nothing to end: no record, a group on
 * another host (left as it is), or one that has ended.
 */
export async function stopRecordedGroup(recordPath: string, { workDir, graceMs, pollMs }: StopRecordedGroupOptions): Promise<StoppedGroup | undefined> {
  const record = await readSolverGroupRecord(recordPath);
  if (!record || record.host !== hostname()) return undefined;
  if (!(await stillRunning(record, workDir))) {
    await removeSolverGroupRecord(recordPath);
    return undefined;
  }
  try {
    await killProcessGroup(record.pgid, { graceMs, ...(pollMs !== undefined ? { pollMs } : {}) });
  } catch (error) {
    // EPERM: a member this runner may not signal; the record stays for whoever can.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") throw error;
    return { record, gone: false };
  }
  const gone = !(await isProcessGroupAlive(record.pgid));
  if (gone) await removeSolverGroupRecord(recordPath);
  return { record, gone };
}

/**
 * While any member of a group lives, Linux gives no new process the group's id as its pid: a
 * leader with the recorded pid and another start time means the recorded group is over. Without
 * /proc (macOS) there is no start time, and the group's liveness is all there is to go on.
 */
async function stillRunning(record: SolverGroupRecord, workDir: string): Promise<boolean> {
  const leader = await processStat(record.pgid);
  if (leader && record.processStart !== undefined && leader.start !== record.processStart) return false;
  if (process.platform !== "linux") return isProcessGroupAlive(record.pgid);
  if (leader && !hasExited(leader)) return true;
  // The leader is gone: the group lives on only in members, the solver's own children (a daemon it
  // left), or another program's group that has come to have the same id. Only the first carry the
  // run's mark (and a group with no live member has none).
  return groupMemberHasEnv(record.pgid, "PHYSICSWORKS_WORK_DIR", workDir);
}
