import { cp, mkdir, rename } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { readConfigFile } from "../../config/read-config-file.js";
import { writeConfigJson } from "../../config/write-config-json.js";
import { readConfigForQueue } from "./request-config.js";
import type { RunRequest } from "./run-request.js";
import { pathExists } from "../../fs/path-kind.js";

/**
 * Lays out `<workRoot>/<id>/` for one delivery of a request: scripts/ and inputs/ from the source
 * folder, config.json with workDir ".". A folder left by an earlier delivery (a worker that died,
 * a run returned to the queue) is kept as `<id>.attempt-N`, so each attempt starts clean and the
 * old one can still be read. Returns the config.json to run.
 *
 * An `inPlace` request (a sweep's point) runs its config file where it is, in the folder `sweep
 * run` laid out, so that `sweep status` and a later `sweep run` find its outcome there; a second
 * delivery runs in the same folder, as a requeued SLURM task does.
 */
export async function prepareRunDir(workRoot: string, request: RunRequest): Promise<string> {
  if (request.inPlace && request.configPath) {
    // Read here, so a config this node cannot read goes back to the queue for another node.
    await readConfigForQueue(request.configPath);
    return request.configPath;
  }
  // Read first: a config this node cannot read leaves no folder behind.
  const { config, sourceDir } = request.configPath
    ? await readConfigForQueue(request.configPath)
    : { config: request.config ?? {}, sourceDir: request.sourceDir };
  const dir = join(workRoot, request.id);
  if (await pathExists(dir)) {
    let n = 1;
    while (await pathExists(`${dir}.attempt-${n}`)) n++;
    await rename(dir, `${dir}.attempt-${n}`);
  }
  await mkdir(dir, { recursive: true });
  if (sourceDir) {
    for (const sub of ["scripts", "inputs"]) {
      if (await pathExists(join(sourceDir, sub))) await cp(join(sourceDir, sub), join(dir, sub), { recursive: true });
    }
  }
  const configPath = join(dir, "config.json");
  await writeConfigJson(configPath, { ...config, workDir: "." });
  return configPath;
}

/**
 * The folder a delivery of `request` runs in, to look at its lock before anything is laid out
 * (or moved aside): `<workRoot>/<id>`, or an in-place config's own work directory. Undefined when
 * the config cannot say; prepareRunDir and runSolver then report what is wrong.
 */
export async function requestWorkDir(workRoot: string, request: RunRequest): Promise<string | undefined> {
  if (!(request.inPlace && request.configPath)) return join(workRoot, request.id);
  try {
    const raw = await readConfigFile(request.configPath);
    return typeof raw.workDir === "string" && raw.workDir ? resolve(dirname(request.configPath), raw.workDir) : undefined;
  } catch {
    return undefined;
  }
}
