import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { ConfigError, UsageError } from "../../errors.js";
import type { SolverType } from "../platform-deps.js";

/**
 * The solver types under `dir`: each sub-folder with a config.json is one, named after the folder.
 * A folder without config.json is skipped (a README, a sweep's runs); a config.json that is not a
 * JSON object stops the start, naming the file.
 */
export async function loadSolvers(dir: string): Promise<Map<string, SolverType>> {
  const root = path.resolve(dir);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new UsageError(`--solvers ${dir}: ${info ? "is not a folder" : "does not exist"}; give a folder whose sub-folders each hold a solver's config.json (e.g. --solvers ./examples)`);
  }
  const solvers = new Map<string, SolverType>();
  const names = (await readdir(root)).filter((name) => !name.startsWith(".")).sort();
  for (const name of names) {
    const folder = path.join(root, name);
    if (!(await stat(folder).catch(() => undefined))?.isDirectory()) continue;
    const configFile = path.join(folder, "config.json");
    const text = await readFile(configFile, "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw new ConfigError(`${configFile}: cannot be read (${error.code ?? error.message}); fix its permissions or remove it`);
    });
    if (text === undefined) continue;
    const config = parseConfig(text, configFile);
    solvers.set(name, { name, dir: folder, config, description: await describe(config, folder) });
  }
  if (solvers.size === 0) {
    throw new ConfigError(`--solvers ${dir}: no solver types there; each solver is a sub-folder with a config.json (like examples/heat1d)`);
  }
  return solvers;
}

function parseConfig(text: string, file: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${file}: not valid JSON (${(error as Error).message}); fix the file or move the folder out of --solvers`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError(`${file}: must be a JSON object of config fields (got ${Array.isArray(value) ? "an array" : value === null ? "null" : typeof value})`);
  }
  return value as Record<string, unknown>;
}

/** config.json's "description", else the first line of README.md without its heading marks, else "". */
async function describe(config: Record<string, unknown>, folder: string): Promise<string> {
  if (typeof config.description === "string") return config.description.trim();
  const readme = await readFile(path.join(folder, "README.md"), "utf8").catch(() => "");
  const line = readme.split(/\r?\n/).find((l) => l.trim() !== "") ?? "";
  return line.replace(/^#+\s*/, "").trim();
}
