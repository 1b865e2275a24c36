import { join } from "node:path";
import { ConfigError } from "./errors.js";
import { makeFolder } from "./fs/make-folder.js";
import { isFolder } from "./fs/path-kind.js";

/** The work directory layout of protocol.md. */
export interface WorkPaths {
  workDir: string;
  inputs: string;
  outputs: string;
  raw: string;
  scripts: string;
  debug: string;
  stateFile: string;
  resultsCsv: string;
  mainLog: string;
  debugLog: string;
  runJson: string;
  /** debug/runner.log: what the runner did and when. */
  runnerLog: string;
  /** debug/solver-group.json: the solver's process group while it runs, for a runner started after this one was killed. */
  solverGroup: string;
}

export const OUTPUT_FOLDERS = ["files", "graphics", "logs", "media", "plots"] as const;

export function workPaths(workDir: string): WorkPaths {
  const outputs = join(workDir, "outputs");
  const debug = join(workDir, "debug");
  return {
    workDir,
    inputs: join(workDir, "inputs"),
    outputs,
    raw: join(workDir, "raw"),
    scripts: join(workDir, "scripts"),
    debug,
    stateFile: join(outputs, "state.txt"),
    resultsCsv: join(outputs, "results.csv"),
    mainLog: join(outputs, "logs", "main.log"),
    debugLog: join(debug, "main.txt"),
    runJson: join(debug, "run.json"),
    runnerLog: join(debug, "runner.log"),
    solverGroup: join(debug, "solver-group.json"),
  };
}

export async function createWorkFolders(paths: WorkPaths): Promise<void> {
  for (const dir of [paths.inputs, paths.raw, paths.scripts, paths.debug, paths.outputs]) await makeWorkFolder(dir);
  for (const sub of OUTPUT_FOLDERS) await makeWorkFolder(join(paths.outputs, sub));
  // The files the runner writes itself: a folder in their place would fail the run midway.
  for (const file of [paths.stateFile, paths.mainLog, paths.debugLog, paths.runJson, paths.runnerLog]) {
    if (await isFolder(file)) throw new ConfigError(`${file} is a folder, where the runner writes a file: move or remove it`);
  }
}

function makeWorkFolder(dir: string): Promise<void> {
  return makeFolder(dir, (code, cause) => {
    const hint = code === "EEXIST" || code === "ENOTDIR" ? "a file is in the way; move or remove it" : "check that the work directory is writable";
    return new ConfigError(`cannot create the work folder ${dir} (${code}): ${hint}`, { cause });
  });
}
