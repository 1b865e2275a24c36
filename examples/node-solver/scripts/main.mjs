#!/usr/bin/env node
// Damped harmonic oscillator, integrated with classical Runge-Kutta (RK4).
//
//     m x'' + c x' + k x = 0,     x(0) = x0,  x'(0) = v0
//
// An example solver for physicsworks-solve, in JavaScript (Node 20, ESM, no
// dependencies). Copy the folder and replace `derivatives` / `integrate` with your
// own model; keep the parts that talk to the runner:
//
//   * command line: --inputsPath= --outputsPath= --rawPath= (absolute paths);
//     the runner starts us with the current directory set to scripts/, and also
//     exports PHYSICSWORKS_INPUTS_DIR / _OUTPUTS_DIR / _RAW_DIR;
//   * outputs/state.txt    progress in the FREE-TEXT form ("integrating: 40% ...");
//                          the heat1d example shows the CSV form;
//   * outputs/plots/*.csv  numeric series, sent to the platform while we run;
//   * outputs/results.csv  results in the LONG form: name,type,value, one per row;
//   * stdout / stderr      kept by the runner as outputs/logs/main.log;
//   * exit status          0 = success, anything else = failure.
//
// Why RK4 and not velocity Verlet: Verlet is the method of choice for conservative
// forces (it is symplectic, so energy does not drift), but the damping force
// depends on the velocity, which Verlet would need an implicit step for. RK4
// handles any first-order system x' = v, v' = a(x, v) explicitly, with a global
// error of O(dt^4).

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

// ---------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------

// Defaults: 1 kg on a 40 N/m spring (natural angular frequency w0 = sqrt(k/m)
// ~ 6.32 rad/s, period ~ 1 s), lightly damped (c = 0.4 kg/s: decay rate
// gamma = c/2m = 0.2 1/s, quality factor Q = w0 / 2 gamma ~ 16), released from
// rest 1 m from equilibrium. SI units throughout.
const DEFAULTS = {
  mass: 1.0, // m [kg]
  stiffness: 40.0, // k [N/m]
  damping: 0.4, // c [kg/s]
  x0: 1.0, // initial position [m]
  v0: 0.0, // initial velocity [m/s]
  t_end: 20.0, // simulated time [s]
  dt: 0.001, // time step [s] (rounded down so that the last step lands on t_end)
  sample_every: 0.02, // simulated time between rows of plots/trajectory.csv [s]
  output_every: 0.8, // simulated time between progress lines [s] -> 25 updates
  tol: 1e-6, // "accurate" when max |x - x_exact| <= tol [m]
  slow: 0.1, // wall-clock pause per progress line [s]; 0 = full speed
};

class ParameterError extends Error {}

/** Parameter value as a finite number: JSON gives numbers, the command line strings. */
function toNumber(name, value) {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw new ParameterError(`${name} must be a number, got ${JSON.stringify(value)}`);
  return n;
}

function merge(params, source, overrides, warnings) {
  for (const [name, value] of Object.entries(overrides)) {
    // Unknown names are reported, not fatal: a platform may pass more than we use.
    if (!(name in DEFAULTS)) warnings.push(`ignoring unknown parameter "${name}" from ${source}`);
    else params[name] = toNumber(name, value);
  }
}

function readJsonObject(text, where) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ParameterError(`${where} is not valid JSON: ${e.message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ParameterError(`${where} must hold a JSON object of parameters`);
  }
  return value;
}

/**
 * The three folders: --inputsPath= etc. on the command line, else the runner's
 * environment variables, else the work-directory layout (../outputs beside
 * scripts/), so `node main.mjs` also works by hand. Returns the other arguments too.
 */
function parsePaths(argv, env) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const paths = {
    inputsPath: env.PHYSICSWORKS_INPUTS_DIR || path.join(here, "..", "inputs"),
    outputsPath: env.PHYSICSWORKS_OUTPUTS_DIR || path.join(here, "..", "outputs"),
    rawPath: env.PHYSICSWORKS_RAW_DIR || path.join(here, "..", "raw"), // meshes; unused here
  };
  const rest = [];
  for (const arg of argv) {
    const m = /^--(inputsPath|outputsPath|rawPath)=(.*)$/s.exec(arg);
    if (m) paths[m[1]] = m[2];
    else rest.push(arg);
  }
  for (const key of Object.keys(paths)) paths[key] = path.resolve(paths[key]);
  return { paths, rest };
}

/**
 * Parameters. Later sources win: DEFAULTS, then <inputsPath>/parameters.json when
 * present, then env PHYSICSWORKS_PARAMS (a JSON object), then --name=value
 * arguments (how a parameter sweep passes them). Throws ParameterError.
 */
function loadParameters(inputsPath, args, env) {
  const params = { ...DEFAULTS };
  const warnings = [];
  const file = path.join(inputsPath, "parameters.json");
  if (fs.existsSync(file)) merge(params, file, readJsonObject(fs.readFileSync(file, "utf8"), file), warnings);
  if (env.PHYSICSWORKS_PARAMS?.trim()) {
    merge(params, "PHYSICSWORKS_PARAMS", readJsonObject(env.PHYSICSWORKS_PARAMS, "PHYSICSWORKS_PARAMS"), warnings);
  }
  const fromCli = {};
  for (const arg of args) {
    const m = /^--([^=]+)=(.*)$/s.exec(arg);
    if (m) fromCli[m[1]] = m[2];
    else warnings.push(`ignoring command-line argument "${arg}" (expected --name=value)`);
  }
  merge(params, "the command line", fromCli, warnings);
  return { params, warnings };
}

/** Every reason the run cannot go ahead (empty = fine). */
function validate(p) {
  const problems = [];
  for (const name of ["mass", "stiffness", "t_end", "dt", "sample_every", "output_every", "tol"]) {
    if (!(p[name] > 0)) problems.push(`${name} must be positive, got ${p[name]}`);
  }
  for (const name of ["damping", "slow"]) {
    if (p[name] < 0) problems.push(`${name} must be >= 0, got ${p[name]}`);
  }
  // RK4 applied to an undamped oscillator is stable only for w0*dt <= 2*sqrt(2)
  // ~ 2.83, and it is *accurate* only well below that: ask for 20+ steps a period.
  const w0dt = Math.sqrt(p.stiffness / p.mass) * p.dt;
  if (problems.length === 0 && w0dt > 2 * Math.PI / 20) {
    problems.push(`dt = ${p.dt} s is too coarse: w0*dt = ${w0dt.toFixed(3)}, keep it below ${(2 * Math.PI / 20).toFixed(3)} (20 steps per period)`);
  }
  return problems;
}

// ---------------------------------------------------------------------------
// The physics
// ---------------------------------------------------------------------------

/** The first-order system: x' = v, v' = -(c v + k x) / m. */
function derivatives(x, v, p) {
  return [v, -(p.damping * v + p.stiffness * x) / p.mass];
}

/** One classical RK4 step of size dt from (x, v). */
function rk4Step(x, v, dt, p) {
  const [k1x, k1v] = derivatives(x, v, p);
  const [k2x, k2v] = derivatives(x + 0.5 * dt * k1x, v + 0.5 * dt * k1v, p);
  const [k3x, k3v] = derivatives(x + 0.5 * dt * k2x, v + 0.5 * dt * k2v, p);
  const [k4x, k4v] = derivatives(x + dt * k3x, v + dt * k3v, p);
  return [
    x + (dt / 6) * (k1x + 2 * k2x + 2 * k3x + k4x),
    v + (dt / 6) * (k1v + 2 * k2v + 2 * k3v + k4v),
  ];
}

/**
 * The exact solution x(t), used to check the integrator. With gamma = c/2m and
 * w0 = sqrt(k/m) the characteristic roots are -gamma +- sqrt(gamma^2 - w0^2):
 * complex (underdamped: decaying oscillation), double (critical: fastest return
 * without overshoot) or real (overdamped: slow creep back).
 */
function exactSolution(p) {
  const gamma = p.damping / (2 * p.mass);
  const w0 = Math.sqrt(p.stiffness / p.mass);
  const { x0, v0 } = p;
  const disc = gamma * gamma - w0 * w0;
  // Within a relative 1e-9 of critical, the formulas below lose their digits.
  if (Math.abs(disc) <= 1e-9 * w0 * w0) {
    return { regime: "critically damped", x: (t) => (x0 + (v0 + gamma * x0) * t) * Math.exp(-gamma * t) };
  }
  if (disc < 0) {
    const wd = Math.sqrt(-disc); // damped angular frequency
    const b = (v0 + gamma * x0) / wd;
    return { regime: "underdamped", x: (t) => Math.exp(-gamma * t) * (x0 * Math.cos(wd * t) + b * Math.sin(wd * t)) };
  }
  const s = Math.sqrt(disc);
  const r1 = -gamma + s;
  const r2 = -gamma - s;
  const c1 = (v0 - r2 * x0) / (r1 - r2);
  const c2 = x0 - c1;
  return { regime: "overdamped", x: (t) => c1 * Math.exp(r1 * t) + c2 * Math.exp(r2 * t) };
}

const energy = (x, v, p) => 0.5 * p.mass * v * v + 0.5 * p.stiffness * x * x;

// ---------------------------------------------------------------------------
// Output helpers
// ---------------------------------------------------------------------------

// Numbers with 8 significant digits, as plain decimals ("0.013624448") in the usual
// range. Very small or large magnitudes keep exponent notation ("3.0248893e-20")
// rather than print fifty zeros: in the long results form each row states its type,
// so the runner never has to guess that "3.0248893e-20" is a number.
const plainFormat = new Intl.NumberFormat("en-US", { useGrouping: false, maximumSignificantDigits: 8 });
const plain = (n) => (n === 0 || (Math.abs(n) >= 1e-9 && Math.abs(n) < 1e15) ? plainFormat.format(n) : n.toPrecision(8).replace(/\.?0+e/, "e"));

/** One field of a CSV row, quoted only when it must be (RFC 4180). */
const csvField = (s) => (/[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

async function main() {
  const started = performance.now();
  const { paths, rest } = parsePaths(process.argv.slice(2), process.env);
  const out = paths.outputsPath;
  fs.mkdirSync(path.join(out, "plots"), { recursive: true });

  // state.txt: one line per update, appended (the runner appends its own phase
  // lines to the same file, so never truncate it). appendFileSync hands each line
  // to the OS at once, so the runner sees it immediately. Free-text form: the
  // runner takes the figure before "%" as the progress and the line as the label.
  // Words such as finished/completed/done/success mark the step finished and
  // error/failed/abort/crash mark it failed, so keep them out of ordinary lines
  // ("40% done" would read as finished!).
  const statePath = path.join(out, "state.txt");
  const state = (line) => fs.appendFileSync(statePath, line + "\n");

  let p;
  let problems;
  try {
    const loaded = loadParameters(paths.inputsPath, rest, process.env);
    for (const w of loaded.warnings) console.error(`node-solver: warning: ${w}`);
    p = loaded.params;
    problems = validate(p);
  } catch (e) {
    if (!(e instanceof ParameterError)) throw e;
    problems = [e.message];
  }
  if (problems.length > 0) {
    for (const problem of problems) console.error(`node-solver: bad parameter: ${problem}`);
    // An error word in state.txt makes the platform show the run as failed, with
    // this line as the reason.
    state(`failed: bad parameters (${problems.join("; ")})`);
    return 2;
  }

  try {
    return await solve(p, out, state, started);
  } catch (e) {
    // Unexpected crash: leave the reason for the platform, print the stack
    // (stderr -> main.log) and exit 1.
    state(`failed: solver crashed (${e.message})`);
    console.error(e);
    return 1;
  }
}

async function solve(p, out, state, started) {
  // Time grid: dt is rounded down so that n steps land exactly on t_end.
  const n = Math.ceil(p.t_end / p.dt - 1e-9);
  const dt = p.t_end / n;
  const sampleEvery = Math.max(1, Math.round(p.sample_every / dt)); // steps per trajectory row
  const reportEvery = Math.max(1, Math.round(p.output_every / dt)); // steps per progress line
  const exact = exactSolution(p);
  const gamma = p.damping / (2 * p.mass);
  const w0 = Math.sqrt(p.stiffness / p.mass);
  console.log(`node-solver: ${exact.regime} oscillator, w0 = ${w0.toFixed(4)} rad/s, gamma = ${gamma.toFixed(4)} 1/s; ${n} RK4 steps of ${dt} s`);

  // The trajectory is appended in blocks, one per progress line, so the
  // platform's plot grows while we run instead of appearing at the end.
  const trajectoryPath = path.join(out, "plots", "trajectory.csv");
  fs.writeFileSync(trajectoryPath, `t,x,v\n0,${plain(p.x0)},${plain(p.v0)}\n`);
  let pending = "";

  let x = p.x0;
  let v = p.v0;
  let maxError = 0;
  state(`integrating: 0% (t = 0 of ${p.t_end} s)`);
  for (let i = 1; i <= n; i++) {
    [x, v] = rk4Step(x, v, dt, p);
    const t = i * dt;
    maxError = Math.max(maxError, Math.abs(x - exact.x(t)));
    if (i % sampleEvery === 0 || i === n) pending += `${plain(t)},${plain(x)},${plain(v)}\n`;
    if (i % reportEvery === 0 && i < n) {
      fs.appendFileSync(trajectoryPath, pending);
      pending = "";
      state(`integrating: ${Math.floor((100 * i) / n)}% (t = ${t.toFixed(2)} of ${p.t_end} s)`);
      // The integration itself takes milliseconds; this pause is only there so
      // the progress display can be watched. Set slow = 0 for real work.
      if (p.slow > 0) await sleep(p.slow);
    }
  }
  fs.appendFileSync(trajectoryPath, pending);

  // Results, long form: a `name,type,value` header, then one result per row with
  // its type given explicitly (scalar, boolean or ascii), so nothing is guessed.
  const e0 = energy(p.x0, p.v0, p);
  const eEnd = energy(x, v, p);
  const accurate = maxError <= p.tol;
  const quality = gamma > 0 ? plain(w0 / (2 * gamma)) : "infinite";
  const results = [
    ["final_position", "scalar", plain(x)],
    ["final_velocity", "scalar", plain(v)],
    ["final_energy", "scalar", plain(eEnd)],
    ["energy_ratio", "scalar", plain(e0 > 0 ? eEnd / e0 : 0)],
    ["max_abs_error", "scalar", plain(maxError)],
    ["steps", "scalar", String(n)],
    ["accurate", "boolean", String(accurate)],
    // A comma inside a value is fine: csvField quotes it, and the runner reads real CSV.
    ["regime", "ascii", `${exact.regime}, Q = ${quality}`],
  ];
  fs.writeFileSync(
    path.join(out, "results.csv"),
    "name,type,value\n" + results.map((row) => row.map(csvField).join(",")).join("\n") + "\n",
  );

  const wall = (performance.now() - started) / 1000;
  console.log(`node-solver: ${n} steps in ${wall.toFixed(2)} s; ` + results.map(([name, , value]) => `${name}=${value}`).join(", "));
  state(`finished 100% (t = ${p.t_end} s)`);
  return 0;
}

process.exitCode = await main();
