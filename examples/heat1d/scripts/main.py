#!/usr/bin/env python3
"""1-D heat equation on a rod, solved with the explicit FTCS scheme.

    u_t = alpha * u_xx        on 0 < x < L,  0 < t <= t_end
    u(0, t) = T_left,  u(L, t) = T_right   (Dirichlet: ends held at fixed temperature)
    u(x, 0) = initial profile ("uniform" or "sine", see DEFAULTS below)

This is an example solver for physicsworks-solve. Copy the folder and replace
`solve()` with your own physics; keep the parts that talk to the runner:

  * command line: --inputsPath= --outputsPath= --rawPath= (absolute paths);
    the runner starts us with the current directory set to scripts/;
  * outputs/state.txt   progress lines, one CSV line per update;
  * outputs/plots/*.csv numeric series, sent to the platform while we run;
  * outputs/logs/*.log  human-readable log, also sent while we run;
  * outputs/results.csv scalar results, read once after we exit;
  * exit status: 0 = success, anything else = failure (reported as an error).

Standard library only (Python 3.11), so it runs on any job node.
"""

import argparse
import csv
import json
import math
import os
import sys
import time
from datetime import datetime

# ---------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------

# Defaults: a 10 cm aluminium-like rod (alpha ~ 1e-4 m^2/s) at room temperature,
# whose left end is put into boiling water at t = 0. Temperatures are in degC,
# lengths in m, times in s (any consistent set of units works).
#
# The slowest transient mode decays like exp(-pi^2 alpha t / L^2), time constant
# L^2 / (pi^2 alpha) ~ 10 s here, so by t_end = 120 s (~12 time constants) the rod
# is at its steady state to well within `tol`: the default run converges.
DEFAULTS = {
    "length": 0.1,        # L, rod length [m]
    "alpha": 1.0e-4,      # thermal diffusivity [m^2/s]
    "nx": 51,             # number of grid points, ends included (dx = L / (nx - 1))
    "t_end": 120.0,       # simulated time [s]
    "T_left": 100.0,      # temperature held at x = 0 [degC]
    "T_right": 20.0,      # temperature held at x = L [degC]
    "T0": 20.0,           # "uniform": initial rod temperature; "sine": bump height
    "initial": "uniform",  # "uniform" or "sine" (see initial_profile())
    "output_every": 3.0,  # simulated time between outputs [s] -> t_end/output_every updates
    "r": 0.4,             # mesh Fourier number alpha*dt/dx^2 used to pick dt; must be <= 0.5
    "tol": 0.01,          # steady state reached when max |u - u_steady| <= tol [degC]
    "slow": 0.1,          # wall-clock pause per output [s]; 0 = run at full speed
}

PARAMETERS_FILE = "parameters.json"


class ParameterError(Exception):
    """A parameter is missing, malformed or physically meaningless."""


def coerce(name, value):
    """Convert `value` to the type of the default of `name`.

    Values come from JSON (already typed) or from the command line (strings), so
    both `"nx": 101` and `--nx=101` must give the int 101.
    """
    default = DEFAULTS[name]
    if isinstance(value, bool):  # JSON true/false: never a valid number here
        raise ParameterError(f"{name} must be a {type(default).__name__}, got {value!r}")
    try:
        if isinstance(default, int):
            number = float(value)
            if not number.is_integer():
                raise ValueError
            return int(number)
        if isinstance(default, float):
            number = float(value)
            if not math.isfinite(number):
                raise ValueError
            return number
        return str(value)
    except (TypeError, ValueError):
        kind = "an integer" if isinstance(default, int) else "a number"
        raise ParameterError(f"{name} must be {kind}, got {value!r}") from None


def merge(params, source, overrides, warnings):
    """Copy `overrides` into `params`, type-checked. Unknown names are reported, not fatal:
    a platform may pass more inputs than this solver uses."""
    for name, value in overrides.items():
        if name not in DEFAULTS:
            warnings.append(f"ignoring unknown parameter {name!r} from {source}")
            continue
        params[name] = coerce(name, value)


def load_parameters(inputs_path, extra_args):
    """Parameters, later sources overriding earlier ones:

    1. DEFAULTS above;
    2. <inputsPath>/parameters.json, when present (the user's input file);
    3. env PHYSICSWORKS_PARAMS, a JSON object;
    4. extra command-line arguments --name=value (how a parameter sweep passes them).
    """
    params = dict(DEFAULTS)
    warnings = []

    path = os.path.join(inputs_path, PARAMETERS_FILE)
    if os.path.isfile(path):
        try:
            with open(path, encoding="utf-8") as f:
                from_file = json.load(f)
        except (OSError, json.JSONDecodeError) as e:
            raise ParameterError(f"cannot read {path}: {e}") from None
        if not isinstance(from_file, dict):
            raise ParameterError(f"{path} must hold a JSON object of parameters")
        merge(params, path, from_file, warnings)

    env = os.environ.get("PHYSICSWORKS_PARAMS", "").strip()
    if env:
        try:
            from_env = json.loads(env)
        except json.JSONDecodeError as e:
            raise ParameterError(f"PHYSICSWORKS_PARAMS is not valid JSON: {e}") from None
        if not isinstance(from_env, dict):
            raise ParameterError("PHYSICSWORKS_PARAMS must be a JSON object")
        merge(params, "PHYSICSWORKS_PARAMS", from_env, warnings)

    from_cli = {}
    for arg in extra_args:
        name, eq, value = arg.removeprefix("--").partition("=")
        if not arg.startswith("--") or not eq or not name:
            warnings.append(f"ignoring command-line argument {arg!r} (expected --name=value)")
            continue
        from_cli[name] = value
    merge(params, "the command line", from_cli, warnings)

    return params, warnings


def validate(p):
    """Every reason the run cannot go ahead, as messages (empty list = fine)."""
    problems = []
    if p["nx"] < 3:
        problems.append(f"nx must be at least 3 (two fixed ends and one interior point), got {p['nx']}")
    for name in ("length", "alpha", "t_end", "output_every", "tol"):
        if p[name] <= 0:
            problems.append(f"{name} must be positive, got {p[name]}")
    # Von Neumann analysis of FTCS: the highest-frequency error mode is multiplied by
    # (1 - 4r) each step, so it stays bounded only if r <= 1/2. Above that the
    # solution oscillates and blows up however small the time step looks.
    if not 0 < p["r"] <= 0.5:
        problems.append(f"r = alpha*dt/dx^2 must be in (0, 0.5] for FTCS to be stable, got {p['r']}")
    if p["slow"] < 0:
        problems.append(f"slow must be >= 0 seconds, got {p['slow']}")
    if p["initial"] not in ("uniform", "sine"):
        problems.append(f"initial must be 'uniform' or 'sine', got {p['initial']!r}")
    return problems


# ---------------------------------------------------------------------------
# Output helpers
# ---------------------------------------------------------------------------

def now():
    return datetime.now().strftime("%Y-%m-%d %H:%M:%S")


def plain(value, digits=6):
    """A number as a plain decimal (no exponent), so results.csv reads as scalars
    everywhere: 100.0 -> '100', 0.00037212 -> '0.000372'."""
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


class State:
    """Writes outputs/state.txt, which the runner parses for the progress bar.

    One CSV line per update: timestamp,progress,message,step,status. The runner
    appends its own phase lines (initialization, preprocessing, ...) to the same
    file, so we open it in append mode and never truncate it. The csv module quotes
    a message containing commas or quotes, and the runner reads it back as real
    CSV. We flush after every line so the runner sees it at once, not when Python's
    buffer happens to fill.
    """

    STEP = "solver"  # step name shown with the message; status is per step

    def __init__(self, path):
        self.file = open(path, "a", encoding="utf-8", newline="")
        self.writer = csv.writer(self.file, lineterminator="\n")

    def update(self, progress, message, status="running"):
        self.writer.writerow([now(), plain(progress, 1), message, self.STEP, status])
        self.file.flush()

    def close(self):
        self.file.close()


class Log:
    """outputs/logs/solver.log: a few lines a person reads. Sent to the platform live."""

    def __init__(self, path):
        self.file = open(path, "w", encoding="utf-8")

    def line(self, text):
        self.file.write(f"{now()}  {text}\n")
        self.file.flush()

    def close(self):
        self.file.close()


def say(text):
    # flush=True: our stdout is a pipe to the runner, which Python buffers in 8 KiB
    # blocks; without the flush, progress lines would appear only at the end.
    print(text, flush=True)


# ---------------------------------------------------------------------------
# The physics
# ---------------------------------------------------------------------------

def steady_profile(x, p):
    """Analytic steady state: with no heat source, u_xx = 0, so the temperature is
    the straight line between the two end temperatures."""
    return [p["T_left"] + (p["T_right"] - p["T_left"]) * xi / p["length"] for xi in x]


def initial_profile(x, p):
    """u(x, 0).

    uniform: the whole interior at T0 (the ends jump to T_left / T_right at t = 0).
    sine:    the steady line plus a bump T0*sin(pi x/L). The bump is the slowest
             Fourier mode on its own, so the exact solution is known for all t:
             u = steady + T0 sin(pi x/L) exp(-alpha pi^2 t / L^2) -- a handy test.
    """
    if p["initial"] == "uniform":
        u = [p["T0"]] * len(x)
    else:
        u = [s + p["T0"] * math.sin(math.pi * xi / p["length"])
             for s, xi in zip(steady_profile(x, p), x)]
    u[0], u[-1] = p["T_left"], p["T_right"]  # Dirichlet ends hold from the first instant
    return u


def midpoint_value(u):
    """Temperature at x = L/2: a grid point when nx is odd, else the mean of the two
    neighbours (linear interpolation, as accurate as the scheme itself)."""
    n = len(u)
    return u[n // 2] if n % 2 else 0.5 * (u[n // 2 - 1] + u[n // 2])


def plan_time_steps(p, dx):
    """Choose dt, the number of steps and the output cadence.

    FTCS is stable only for r = alpha*dt/dx^2 <= 1/2, so dt <= r*dx^2/alpha with
    the requested r (0.4 by default, a margin below the limit). We then round dt
    *down* so that each output interval holds a whole number of steps and the last
    step lands exactly on t_end; r can only get smaller, never cross 0.5.
    """
    n_outputs = max(1, math.ceil(p["t_end"] / p["output_every"] - 1e-9))
    dt_max = p["r"] * dx * dx / p["alpha"]
    steps_per_output = math.ceil(p["t_end"] / n_outputs / dt_max)
    n_steps = n_outputs * steps_per_output
    dt = p["t_end"] / n_steps
    r = p["alpha"] * dt / (dx * dx)
    assert r <= 0.5, r  # guaranteed by the construction above
    return dt, r, n_steps, n_outputs, steps_per_output


def solve(p, outputs, state, log):
    """March u_t = alpha u_xx forward in time; write plots along the way."""
    nx, L = p["nx"], p["length"]
    dx = L / (nx - 1)
    x = [i * dx for i in range(nx)]
    dt, r, n_steps, n_outputs, steps_per_output = plan_time_steps(p, dx)

    log.line(f"grid: nx = {nx}, dx = {dx:.6g} m")
    log.line(f"time: dt = {dt:.6g} s, r = alpha*dt/dx^2 = {r:.4f} (stable for r <= 0.5), "
             f"{n_steps} steps, {n_outputs} outputs")
    say(f"heat1d: nx={nx} dx={dx:.4g} dt={dt:.4g} r={r:.3f} steps={n_steps}")

    u = initial_profile(x, p)
    new = u[:]  # second buffer: FTCS needs all old values while writing new ones

    # The midpoint history grows while we run; the runner sends each appended row,
    # so the platform's plot fills in live.
    mid_path = os.path.join(outputs, "plots", "midpoint.csv")
    with open(mid_path, "w", encoding="utf-8", newline="") as mid_file:
        mid = csv.writer(mid_file, lineterminator="\n")
        mid.writerow(["t", "T_mid"])
        mid.writerow(["0", plain(midpoint_value(u))])
        mid_file.flush()

        state.update(0, f"time step 0/{n_steps}, dt = {dt:.4g} s")
        next_print = 10
        step = 0
        for _ in range(n_outputs):
            for _ in range(steps_per_output):
                # FTCS: forward difference in time, central in space:
                #   u_i^{n+1} = u_i^n + r (u_{i-1}^n - 2 u_i^n + u_{i+1}^n)
                # first order in dt, second order in dx. Ends are never touched.
                for i in range(1, nx - 1):
                    new[i] = u[i] + r * (u[i - 1] - 2.0 * u[i] + u[i + 1])
                u, new = new, u
            step += steps_per_output

            t = step * dt
            mid.writerow([plain(t), plain(midpoint_value(u))])
            mid_file.flush()

            progress = 100.0 * step / n_steps
            if step < n_steps:  # the 100 % line comes after the files are written
                state.update(progress, f"time step {step}/{n_steps}, t = {t:.2f} s")
            if progress >= next_print:
                say(f"heat1d: {progress:5.1f} %  t = {t:8.2f} s  T_mid = {midpoint_value(u):.4f}")
                next_print = 10 * (math.floor(progress / 10) + 1)

            # The numerics of the default case take a fraction of a second. This pause
            # is only there so the progress display can be watched; set slow = 0 for
            # real work.
            if p["slow"] > 0 and step < n_steps:
                time.sleep(p["slow"])

    return x, u, dt, r, n_steps


# ---------------------------------------------------------------------------
# Main: wiring to the runner
# ---------------------------------------------------------------------------

def parse_args(argv):
    here = os.path.dirname(os.path.abspath(__file__))

    def default_dir(env, name):
        # The runner passes the three paths and also exports them; falling back to
        # the work-directory layout lets you run `python3 main.py` by hand.
        return os.environ.get(env) or os.path.join(here, "..", name)

    # allow_abbrev=False: otherwise argparse would take a sweep parameter such as
    # --r=0.3 as an abbreviation of --rawPath.
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--inputsPath", default=default_dir("PHYSICSWORKS_INPUTS_DIR", "inputs"))
    parser.add_argument("--outputsPath", default=default_dir("PHYSICSWORKS_OUTPUTS_DIR", "outputs"))
    parser.add_argument("--rawPath", default=default_dir("PHYSICSWORKS_RAW_DIR", "raw"))  # meshes; unused here
    # parse_known_args: anything else (--nx=101, ...) is a parameter override.
    return parser.parse_known_args(argv)


def write_results(outputs, names_values):
    """outputs/results.csv, wide form: one header row of names, one row of values.
    The runner types each value: number -> scalar, true/false -> boolean, else ascii."""
    with open(os.path.join(outputs, "results.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([name for name, _ in names_values])
        w.writerow([value for _, value in names_values])


def main(argv):
    started = time.monotonic()
    args, extra = parse_args(argv)
    outputs = os.path.abspath(args.outputsPath)
    for sub in ("", "plots", "logs"):
        os.makedirs(os.path.join(outputs, sub), exist_ok=True)

    state = State(os.path.join(outputs, "state.txt"))
    try:
        try:
            p, warnings = load_parameters(args.inputsPath, extra)
            problems = validate(p)
        except ParameterError as e:
            problems, warnings = [str(e)], []
        for w in warnings:
            print(f"heat1d: warning: {w}", file=sys.stderr, flush=True)
        if problems:
            # A 'failed' step makes the platform show the run as an error with this
            # reason, even before it sees our exit status.
            for problem in problems:
                print(f"heat1d: error: {problem}", file=sys.stderr, flush=True)
            state.update(0, f"bad parameters: {'; '.join(problems)}", "failed")
            return 2

        log = Log(os.path.join(outputs, "logs", "solver.log"))
        try:
            log.line("1-D heat equation u_t = alpha u_xx, explicit FTCS, Dirichlet ends")
            log.line("parameters: " + ", ".join(f"{k} = {v}" for k, v in p.items()))

            x, u, dt, r, n_steps = solve(p, outputs, state, log)

            # Final profile, for the platform's x-y plot.
            with open(os.path.join(outputs, "plots", "temperature.csv"), "w",
                      encoding="utf-8", newline="") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(["x", "T"])
                for xi, ui in zip(x, u):
                    w.writerow([plain(xi), plain(ui)])

            # Converged = the profile matches the analytic steady state (a straight
            # line) to within tol. FTCS reproduces a straight line exactly (its second
            # difference is zero), so what is left is the undecayed transient alone.
            steady = steady_profile(x, p)
            deviation = max(abs(a - b) for a, b in zip(u, steady))
            converged = deviation <= p["tol"]
            results = [
                ("max_temperature", plain(max(u))),
                ("mid_temperature", plain(midpoint_value(u))),
                ("steady_state_deviation", plain(deviation)),
                ("steps", str(n_steps)),
                ("converged", "true" if converged else "false"),
            ]
            write_results(outputs, results)

            wall = time.monotonic() - started
            verdict = "steady state reached" if converged else "not yet steady"
            log.line(f"finished: {n_steps} steps in {wall:.2f} s wall time; "
                     f"max |u - u_steady| = {deviation:.3g} (tol {p['tol']}): {verdict}")
            say("heat1d: results: " + ", ".join(f"{k}={v}" for k, v in results))
            state.update(100, f"time step {n_steps}/{n_steps}, {verdict}", "finished")
            return 0
        finally:
            log.close()
    except Exception as e:
        # An unexpected crash: leave the reason in state.txt for the platform, then
        # let Python print the traceback (to stderr -> the run's main.log) and exit 1.
        state.update(0, f"solver crashed: {type(e).__name__}: {e}", "failed")
        raise
    finally:
        state.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
