import { WorkDirBusyError } from "../errors.js";
import { stopRecordedGroup } from "../process/index.js";
import type { WorkPaths } from "../work-paths.js";

/**
 * A runner killed with SIGKILL leaves its solver running (it runs detached, in its own process
 * group), and the next runner would start a second one writing the same outputs/. Called once the
 * work directory lock is held, so no live runner owns what debug/solver-group.json names: a group
 * still running there is ended (SIGTERM, `graceMs`, SIGKILL) before any stage runs. Returns the
 * warning that says so; throws WorkDirBusyError when the group cannot be ended.
 */
export async function stopLeftSolver(paths: WorkPaths, graceMs: number): Promise<string | undefined> {
  const stopped = await stopRecordedGroup(paths.solverGroup, { workDir: paths.workDir, graceMs });
  if (!stopped) return undefined;
  const { pgid, startedAt, runnerPid } = stopped.record;
  const what = `a solver an earlier runner left running in ${paths.workDir} (pid ${pgid}, its process group ${pgid}, started ${startedAt} by runner pid ${runnerPid})`;
  if (!stopped.gone) {
    throw new WorkDirBusyError(
      `the work directory ${paths.workDir} is in use by ${what}, which this runner could not stop; ` +
        `stop it (kill -KILL -${pgid}) and start again`,
      { workDir: paths.workDir, lockPath: paths.solverGroup },
    );
  }
  return `${what} was still running: it was stopped (SIGTERM to its process group, SIGKILL if it was still there after the grace period) before this run went on`;
}
