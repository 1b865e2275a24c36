import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isFolder } from "../../fs/path-kind.js";
import { mintToken, SCOPES, type RunningServer } from "../../server/index.js";
import { layOutRunFolder, withParameters } from "../../sweep/index.js";
import type { PlatformSettings, SolverType } from "../platform-deps.js";
import type { Job } from "../platform-types.js";

/** The project every local job is filed under; the simulation is the job's id. */
export const LOCAL_PROJECT = "local";

/** A solver type without a solverConfig.json: result.zip holds everything under outputs/. */
export const DEFAULT_SOLVER_CONFIG = { downloadable: { globs: ["outputs/**"] } };

/**
 * The run data the protocol server answers for a job (protocol.md part 1): the job's parameters as
 * the run's inputs (inputs/runInputs.json), and as the solver config (inputs/solverConfig.json,
 * which names what goes into result.zip) the type's solverConfig.json, or DEFAULT_SOLVER_CONFIG.
 */
async function jobRunData(solver: SolverType, job: Job): Promise<Record<string, unknown>> {
  let solverConfig: unknown = DEFAULT_SOLVER_CONFIG;
  try {
    solverConfig = JSON.parse(await readFile(join(solver.dir, "solverConfig.json"), "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new Error(`${join(solver.dir, "solverConfig.json")}: not readable JSON (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return { simulation: { tree: {}, meshes: [] }, materials: [], inputs: job.parameters, physicsFeature: { config: solverConfig } };
}

export function jobDir(settings: PlatformSettings, jobId: string): string {
  return join(settings.dataDir, "jobs", jobId);
}

/**
 * Everything a job needs before a runner takes it: DATA/jobs/<id>/ laid out as a sweep lays out a
 * point (scripts/ and inputs/ copied from the solver type's folder, inputs/parameters.json with the
 * job's parameters over the type's), its config.json (mode 600: it holds the runner's token) with
 * the type's config, the job's fields and what ties the run to this server, and its run data
 * seeded on the server. Returns the config path.
 */
export async function prepareJob(settings: PlatformSettings, server: RunningServer, job: Job): Promise<string> {
  const solver = settings.solvers.get(job.solver);
  if (!solver) throw new Error(`the solver type "${job.solver}" is not registered (--solvers)`);
  const dir = jobDir(settings, job.id);
  await layOutRunFolder(dir, { scripts: await folderIn(solver.dir, "scripts"), inputs: await folderIn(solver.dir, "inputs") }, job.parameters);
  const token = mintToken(settings.jwtSecret, { sub: `job:${job.id}`, scope: [SCOPES.runner], expiresIn: "30d" });
  const config = {
    // The server's --grace (seconds) is the default under the type's and the job's own "grace".
    ...withParameters({ grace: settings.graceMs / 1000, ...withoutPlatformFields(solver.config), ...job.config }, job.parameters),
    workDir: ".",
    host: server.url,
    token,
    project: LOCAL_PROJECT,
    simulation: job.id,
    job: job.id,
    owner: job.owner,
  };
  const configPath = join(dir, "config.json");
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await chmod(configPath, 0o600);
  await server.store.writeRunData(LOCAL_PROJECT, job.id, await jobRunData(solver, job));
  return configPath;
}

/** `dir/sub` when it is a folder (a solver type need not have inputs/), else undefined. */
async function folderIn(dir: string, sub: string): Promise<string | undefined> {
  const path = join(dir, sub);
  return (await isFolder(path)) ? path : undefined;
}

/** A solver type's config.json describes the solver, not where it reports: those fields are the platform's. */
function withoutPlatformFields(config: Record<string, unknown>): Record<string, unknown> {
  const { host: _h, token: _t, project: _p, simulation: _s, job: _j, owner: _o, resource: _r, abort: _a, workDir: _w, description: _d, ...rest } = config;
  return rest;
}
