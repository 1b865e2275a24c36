import { timerDuration } from "../../config/duration.js";
import { badRequest } from "../../server/index.js";
import { expandPoints, parseSweepParameters } from "../../sweep/index.js";
import type { ParamValue, SweepPoint } from "../../sweep/spec-types.js";
import type { JobRequest, SolverType } from "../platform-deps.js";

/** Config fields the platform sets for each job. */
const PLATFORM_FIELDS = ["host", "token", "project", "simulation", "job", "owner", "workDir", "resource", "abort", "solverArgs"];

/**
 * The config fields a job may set. Everything else (the command, the scripts, the environment,
 * archives) belongs to the solver type, which only whoever runs the server can change: any
 * registered user may submit jobs, and a job's `command` or `env` would let them run anything.
 */
export const JOB_CONFIG_FIELDS = ["timeout", "grace"];

/** A job request, checked: the solver type and one parameter set per job to make. */
export interface CheckedJobRequest {
  solver: SolverType;
  config: Record<string, unknown>;
  /** One entry per job; a single job is one point. */
  points: Record<string, ParamValue>[];
  isSweep: boolean;
}

/** Most jobs one request may make. */
export const MAX_POINTS = 1000;

/** Checks `POST /api/v1/jobs`'s body at the edge; a 400 names the field, the value and the fix. */
export function checkJobRequest(body: unknown, solvers: ReadonlyMap<string, SolverType>): CheckedJobRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest('the body must be an object such as {"solver": "heat1d", "parameters": {}}');
  const request = body as Partial<JobRequest> & Record<string, unknown>;
  const known = ["solver", "parameters", "config", "sweep"];
  const unknown = Object.keys(request).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw badRequest(`unknown field ${JSON.stringify(unknown[0])}; a job takes ${known.join(", ")}`);
  if (typeof request.solver !== "string" || request.solver === "") throw badRequest(`"solver" must name a solver type (known: ${[...solvers.keys()].join(", ") || "none"})`);
  const solver = solvers.get(request.solver);
  if (!solver) throw badRequest(`"solver": no solver type ${JSON.stringify(request.solver)} (known: ${[...solvers.keys()].join(", ") || "none"})`);
  const config = checkConfig(request.config);
  const parameters = checkParameters(request.parameters);
  if (request.sweep === undefined) return { solver, config, points: [parameters], isSweep: false };
  return { solver, config, points: sweepPoints(request.sweep, parameters), isSweep: true };
}

function checkConfig(value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw badRequest('"config" must be an object such as {"timeout": "10m", "grace": "30s"}');
  for (const [field, v] of Object.entries(value)) {
    if (PLATFORM_FIELDS.includes(field)) throw badRequest(`"config.${field}" is set by the platform for each job; leave it out`);
    if (!JOB_CONFIG_FIELDS.includes(field)) {
      throw badRequest(`"config.${field}" cannot be set by a job (a job may set ${JOB_CONFIG_FIELDS.join(" and ")}); it belongs to the solver type's config.json`);
    }
    // Read as the runner will read it, so that a job is refused now rather than failing once it runs.
    let ms: number;
    try {
      ms = timerDuration(v, `"config.${field}"`);
    } catch (error) {
      throw badRequest((error as Error).message);
    }
    if (field === "timeout" && ms === 0) throw badRequest(`"config.timeout" must be longer than 0 (got ${JSON.stringify(v)})`);
  }
  return value as Record<string, unknown>;
}

function checkParameters(value: unknown): Record<string, ParamValue> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw badRequest('"parameters" must be an object such as {"alpha": 0.0001}');
  for (const [name, v] of Object.entries(value)) {
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) throw badRequest(`"parameters.${name}" is not a usable parameter name: letters, digits, "_", "-" and ".", starting with a letter or "_"`);
    const scalar = typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));
    if (!scalar) throw badRequest(`"parameters.${name}" must be a number, a string or true/false (got ${JSON.stringify(v)})`);
  }
  return value as Record<string, ParamValue>;
}

/** The sweep's points, each over the fixed `parameters` given beside it. */
function sweepPoints(sweep: unknown, fixed: Record<string, ParamValue>): Record<string, ParamValue>[] {
  if (typeof sweep !== "object" || sweep === null || Array.isArray(sweep)) throw badRequest('"sweep" must be an object such as {"parameters": {"alpha": [0.0001, 0.0002]}}');
  const { parameters, combine = "product", ...rest } = sweep as { parameters?: unknown; combine?: unknown };
  const extra = Object.keys(rest);
  if (extra.length > 0) throw badRequest(`"sweep.${extra[0]}" is not known; a sweep takes parameters and combine`);
  if (combine !== "product" && combine !== "zip") throw badRequest(`"sweep.combine" must be "product" or "zip" (got ${JSON.stringify(combine)})`);
  const swept = parseSweepParameters(parameters, (key, message) => {
    throw badRequest(`"sweep.${key}" ${message}`);
  });
  let points: SweepPoint[];
  try {
    points = expandPoints(swept, combine, "sweep");
  } catch (error) {
    throw badRequest(error instanceof Error ? error.message : String(error));
  }
  if (points.length > MAX_POINTS) throw badRequest(`"sweep" makes ${points.length} jobs; at most ${MAX_POINTS} at once`);
  return points.map((p) => ({ ...fixed, ...p.parameters }));
}
