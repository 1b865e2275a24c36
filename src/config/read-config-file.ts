import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import yaml from "js-yaml";
import { ConfigError } from "../errors.js";
import { jsonProblem, yamlProblem } from "./parse-problem.js";

/**
 * Reads config.json (or .yaml/.yml) into a plain object; every failure names the file. `where`
 * says where the path came from, for a file that is not there.
 */
export async function readConfigFile(path: string, where = "--configPath"): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new ConfigError(`${path}: config file not found (check ${where})`);
    if (code === "EISDIR") throw new ConfigError(`${path}: is a folder; ${where} must name the config file`);
    throw new ConfigError(`${path}: cannot read the config file (${code ?? String(error)})`, { cause: error });
  }
  const parsed = parseConfigText(text, path);
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ConfigError(`${path}: the config must be an object of fields such as {"workDir": "."} (got ${describe(parsed)})`);
  }
  return parsed as Record<string, unknown>;
}

function parseConfigText(text: string, path: string): unknown {
  const ext = extname(path).toLowerCase();
  if (ext === ".yaml" || ext === ".yml") {
    try {
      return yaml.load(text, { schema: yaml.CORE_SCHEMA, filename: path });
    } catch (error) {
      // No cause: the parser's message quotes the text around the fault, the token's line perhaps.
      throw new ConfigError(`${path}: not valid YAML${yamlProblem(error as Error)}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path}: not valid JSON${jsonProblem(text, error as Error)}`);
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value;
}
