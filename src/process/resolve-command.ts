import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../errors.js";

/** The interpreter each known script extension runs with, as the Python runner chose it. */
const INTERPRETERS: Readonly<Record<string, () => string>> = {
  ".py": () => "python3",
  // The runner's own node: always there, and the version the user installed the runner with.
  ".js": () => process.execPath,
  ".mjs": () => process.execPath,
  ".cjs": () => process.execPath,
  ".sh": () => "bash",
};

/**
 * The solver's argv without its arguments: `[interpreter, script]`, `[script]`
 * for an executable file, or `[...command, script]` when config sets `command`.
 *
 * The script path is made absolute: the solver runs in another folder than the
 * runner, and an absolute path also keeps a bare name from being looked up on PATH.
 * A script or command that cannot be run is the set-up's error (ConfigError, exit 2), not the
 * solver's: the solver never started.
 */
export async function resolveSolverCommand(scriptPath: string, command?: string[] | string): Promise<string[]> {
  const script = path.resolve(scriptPath);
  await assertScriptFile(script);

  if (command !== undefined) return [...commandWords(command), script];

  const interpreter = INTERPRETERS[path.extname(script).toLowerCase()];
  if (interpreter) return [interpreter(), script];

  if (await isExecutable(script)) return [script];
  throw new ConfigError(
    `main script ${script} has no known extension (.py, .js, .mjs, .cjs, .sh) and is not executable; ` +
      `set "command" in config.json to the program that runs it (e.g. "command": "python3"), ` +
      `or make it executable (chmod +x ${script})`,
  );
}

async function assertScriptFile(script: string): Promise<void> {
  let isFile: boolean;
  try {
    isFile = (await stat(script)).isFile();
  } catch (error) {
    if (errorCode(error) === "ENOENT" || errorCode(error) === "ENOTDIR") {
      throw new ConfigError(
        `main script not found: ${script} (set "mainScript" in config.json or put the script in scripts/)`,
        { cause: error },
      );
    }
    throw new ConfigError(`main script ${script} cannot be read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (!isFile) {
    throw new ConfigError(`main script ${script} is not a file (set "mainScript" in config.json to the script itself)`);
  }
}

function commandWords(command: string[] | string): string[] {
  const words = typeof command === "string" ? command.split(/\s+/).filter((word) => word !== "") : command;
  if (words.length === 0 || words[0] === "") {
    throw new ConfigError(
      `"command" in config.json is empty (got ${JSON.stringify(command)}); ` +
        `name the program that runs the main script, e.g. "python3", or remove "command"`,
    );
  }
  return words;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
