import { join } from "node:path";
import { abortErrorOf, SolverError } from "../errors.js";
import { resolveSolverCommand, runSolverProcess } from "../process/index.js";
import { fileStamp } from "../fs/file-stamp.js";
import type { RunContext } from "./run-context.js";
import { writePhaseLine } from "./phase-line.js";
import type { Stage } from "./stage.js";

/** Runs the solver in its own process group, its output streamed line by line to the logs. */
export const executeStage: Stage = {
  name: "execute",
  async run(ctx) {
    ctx.throwIfAborted();
    const { paths, options } = ctx;
    const script = join(paths.scripts, options.mainScript);
    const argv = [
      ...(await resolveSolverCommand(script, options.command)),
      `--inputsPath=${paths.inputs}`,
      `--outputsPath=${paths.outputs}`,
      `--rawPath=${paths.raw}`,
      ...options.solverArgs,
    ];
    await writePhaseLine(ctx, "solver", 10, "running");
    ctx.state.resultsBeforeSolver = await fileStamp(paths.resultsCsv);
    ctx.state.resultZipBeforeSolver = await fileStamp(join(paths.outputs, "result.zip"));
    const exit = await runSolverProcess({
      argv,
      cwd: paths.scripts,
      env: solverEnvironment(ctx),
      logFiles: [paths.debugLog, paths.mainLog],
      onLine: (line, stream) => {
        ctx.emit({ type: "log", line, stream });
        ctx.platform?.socket?.log(line);
      },
      signal: ctx.signal,
      graceMs: options.graceMs,
      secrets: options.secrets,
      groupRecord: paths.solverGroup,
    });
    ctx.state.solver = exit;
    if (exit.aborted) throw abortErrorOf(ctx.signal);
    if (exit.exitCode !== 0) {
      const how = exit.exitCode === null ? `was killed by ${exit.signal}` : `exited with code ${exit.exitCode}`;
      const last = exit.lastLines.length ? `; its last lines:\n  ${exit.lastLines.slice(-10).join("\n  ")}` : "";
      throw new SolverError(`the solver ${how} (full output in ${paths.debugLog})${last}`);
    }
    return `exit 0 in ${(exit.durationMs / 1000).toFixed(1)}s`;
  },
};

/** The caller's environment, the config's extras and the PHYSICSWORKS_* paths; the token only when config says so. */
function solverEnvironment(ctx: RunContext): Record<string, string | undefined> {
  const { paths, options } = ctx;
  const env: Record<string, string | undefined> = { ...options.baseEnv, ...options.solverEnv };
  delete env.PHYSICSWORKS_TOKEN;
  if (options.passToken && options.platform?.token) env.PHYSICSWORKS_TOKEN = options.platform.token;
  Object.assign(env, {
    PHYSICSWORKS_INPUTS_DIR: paths.inputs,
    PHYSICSWORKS_OUTPUTS_DIR: paths.outputs,
    PHYSICSWORKS_RAW_DIR: paths.raw,
    PHYSICSWORKS_WORK_DIR: paths.workDir,
    PHYSICSWORKS_RUN_ID: ctx.runId,
    // Python solvers otherwise hold stdout in a block buffer when it is a pipe, and progress lines come late.
    PYTHONUNBUFFERED: env.PYTHONUNBUFFERED ?? "1",
  });
  return env;
}
