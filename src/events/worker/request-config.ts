import { dirname, isAbsolute, resolve } from "node:path";
import { checkConfigFields } from "../../config/config-fields.js";
import { readConfigFile } from "../../config/read-config-file.js";
import { isFolder } from "../../fs/path-kind.js";

/** Config fields that name files, resolved against the config file's folder like runSolver does. */
const PATH_FIELDS = ["scriptsArchive", "inputsArchive"] as const;
/** Fields that belong to one run on one machine, never to a queued request. */
const LOCAL_FIELDS = ["workDir", "resource", "abort"] as const;

export interface QueuedConfig {
  config: Record<string, unknown>;
  /** The config's work directory when it holds scripts/ or inputs/ to copy into each run. */
  sourceDir?: string;
  warnings: string[];
}

/** Reads a config file for the queue: checked (a bad field fails here, not on a worker), paths made absolute. */
export async function readConfigForQueue(configPath: string): Promise<QueuedConfig> {
  const path = resolve(configPath);
  const raw = await readConfigFile(path, "the config files named to submit, and that workers see the same path");
  const { warnings } = checkConfigFields(raw, path);
  return { ...(await portableConfig(raw, dirname(path))), warnings };
}

/** The config with relative paths resolved against `baseDir`, without its local fields, and its source folder. */
export async function portableConfig(raw: Record<string, unknown>, baseDir: string): Promise<Omit<QueuedConfig, "warnings">> {
  const config: Record<string, unknown> = { ...raw };
  for (const field of PATH_FIELDS) {
    const value = config[field];
    if (typeof value === "string" && value && !isAbsolute(value)) config[field] = resolve(baseDir, value);
  }
  for (const field of LOCAL_FIELDS) delete config[field];
  const workDir = typeof raw.workDir === "string" && raw.workDir ? resolve(baseDir, raw.workDir) : undefined;
  if (workDir && ((await isFolder(resolve(workDir, "scripts"))) || (await isFolder(resolve(workDir, "inputs"))))) {
    return { config, sourceDir: workDir };
  }
  return { config };
}
