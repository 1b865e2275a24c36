import { isAbsolute } from "node:path";
import { FieldChecker, isObject, type Validation } from "../field-checker.js";

/**
 * One message of the work queue: a run to do. `config` holds config.json's fields (its paths made
 * absolute by `submit`); `configPath` names a config file on a filesystem every worker sees.
 * `sourceDir` is a folder whose scripts/ and inputs/ are copied into the run's work directory.
 * `inPlace` (with `configPath`): the config's own folder, laid out already, is the run's work
 * directory, as a sweep's point is; no copy under the worker's work root.
 */
export interface RunRequest {
  id: string;
  config?: Record<string, unknown>;
  configPath?: string;
  sourceDir?: string;
  inPlace?: boolean;
  submittedAt?: string;
}

/** Ids name work directories: no separators, no dots (the worker keeps old attempts as `<id>.attempt-N`). */
export const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export function validateRunRequest(value: unknown): Validation<RunRequest> {
  const c = new FieldChecker(value);
  const id = c.string("id");
  if (id && !RUN_ID.test(id)) c.problem("id", 'letters, digits, "_" and "-" only (it names the work directory), at most 128', id);
  const config = c.raw("config");
  const configPath = c.raw("configPath");
  if (config !== undefined && !isObject(config)) c.problem("config", "an object of config.json fields", config);
  if (configPath !== undefined && (typeof configPath !== "string" || !isAbsolute(configPath))) {
    c.problem("configPath", "an absolute path to a config file", configPath);
  }
  if (isObject(value) && (config === undefined) === (configPath === undefined)) {
    c.problems.push('a run request needs exactly one of "config" (the fields) and "configPath" (a path every worker can read)');
  }
  const sourceDir = c.optionalString("sourceDir");
  if (sourceDir && !isAbsolute(sourceDir)) c.problem("sourceDir", "an absolute path", sourceDir);
  const inPlace = c.raw("inPlace");
  if (inPlace !== undefined && typeof inPlace !== "boolean") c.problem("inPlace", "true or false", inPlace);
  if (inPlace === true && (configPath === undefined || sourceDir !== undefined)) {
    c.problems.push('"inPlace" runs a config file where it is: it goes with "configPath", without "sourceDir"');
  }
  return c.result({
    id,
    config: isObject(config) ? config : undefined,
    configPath: typeof configPath === "string" ? configPath : undefined,
    sourceDir,
    inPlace: inPlace === true ? true : undefined,
    submittedAt: c.raw("submittedAt") === undefined ? undefined : c.time("submittedAt"),
  });
}
