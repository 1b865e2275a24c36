import { chmod, mkdtemp, readFile, realpath, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, SolverError } from "../../src/errors.js";
import { resolveSolverCommand, runSolverProcess, type SolverProcessOptions } from "../../src/process/index.js";

const solvers = fileURLToPath(new URL("../fixtures/solvers/", import.meta.url));
const env = { PATH: process.env.PATH };

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "pw-process-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fixture(name: string, ...args: string[]): Promise<string[]> {
  return [...(await resolveSolverCommand(path.join(solvers, name))), ...args];
}

function options(argv: string[], extra: Partial<SolverProcessOptions> = {}): SolverProcessOptions {
  return { argv, cwd: dir, env, logFiles: [path.join(dir, "main.txt")], graceMs: 500, ...extra };
}

describe("runSolverProcess: output", () => {
  it("takes 5 MiB of output without blocking, every line into every log file, in order", async () => {
    const bytes = 5 * 1024 * 1024;
    const stdoutLines = bytes / 64; // the fixture prints 64-byte lines
    const stderrLines = stdoutLines / 4096;
    const logs = [path.join(dir, "main.txt"), path.join(dir, "main.log")];
    const seen = { stdout: 0, stderr: 0 };

    const exit = await runSolverProcess(
      options(await fixture("big-output.py", `--outputsPath=${dir}`, String(bytes)), {
        logFiles: logs,
        onLine: (_line, stream) => void seen[stream]++,
      }),
    );

    expect(exit).toMatchObject({ exitCode: 0, signal: null, aborted: false });
    expect(exit.pid).toBeGreaterThan(1);
    expect(seen).toEqual({ stdout: stdoutLines, stderr: stderrLines });

    let stderrBytes = 0;
    for (let k = 1; k <= stderrLines; k++) stderrBytes += `stderr line ${k}\n`.length;
    const [first, second] = await Promise.all(logs.map((log) => readFile(log, "utf8")));
    expect(first!.length).toBe(bytes + stderrBytes);
    expect(second).toBe(first);

    // stdout and stderr interleave as they arrived, each in its own order.
    const lines = first!.split("\n");
    expect(lines.pop()).toBe("");
    const out = lines.filter((line) => !line.startsWith("stderr"));
    const err = lines.filter((line) => line.startsWith("stderr"));
    expect(out).toHaveLength(stdoutLines);
    out.forEach((line, i) => {
      if (line !== `${String(i).padStart(10, "0")} ${"x".repeat(52)}`) expect.fail(`line ${i} is ${line}`);
    });
    expect(err).toEqual(Array.from({ length: stderrLines }, (_, k) => `stderr line ${k + 1}`));
    expect(exit.lastLines).toHaveLength(20);
  });

  it("appends to a log file that already has content", async () => {
    const log = path.join(dir, "main.txt");
    await writeFile(log, "earlier run\n");
    await runSolverProcess(options(await fixture("hello.py"), { logFiles: [log] }));
    expect((await readFile(log, "utf8")).split("\n").slice(0, 2)).toEqual(["earlier run", "hello"]);
  });

  it("reports a crash: its exit code and the last lines of output", async () => {
    const exit = await runSolverProcess(options(await fixture("crash.py")));
    expect(exit).toMatchObject({ exitCode: 3, signal: null, aborted: false });
    expect(exit.lastLines).toContain("ValueError: boom");
    expect(exit.lastLines[0]).toBe("step 1");

    const short = await runSolverProcess(options(await fixture("crash.py"), { tailLines: 2 }));
    expect(short.lastLines).toEqual(['  File "crash.py", line 7, in <module>', "ValueError: boom"]);
  });

  it("gives the solver its arguments and the environment it is handed", async () => {
    const lines: string[] = [];
    const exit = await runSolverProcess(
      options(await fixture("hello.py", "--inputsPath=/in", "--outputsPath=/out", "--rawPath=/raw"), {
        env: { PATH: process.env.PATH, PHYSICSWORKS_RUN_ID: "run-1", PHYSICSWORKS_WORK_DIR: dir, UNSET: undefined },
        onLine: (line) => lines.push(line),
      }),
    );
    expect(exit.exitCode).toBe(0);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe("hello");
    expect(JSON.parse(lines[1]!)).toEqual(["--inputsPath=/in", "--outputsPath=/out", "--rawPath=/raw"]);
    expect(lines.slice(2)).toEqual(["PHYSICSWORKS_RUN_ID=run-1", `PHYSICSWORKS_WORK_DIR=${dir}`]);
  });

  it("runs in cwd with only the given environment", async () => {
    const lines: string[] = [];
    await runSolverProcess(
      options(["/bin/sh", "-c", 'pwd; echo "home=${HOME-unset}"'], { env: {}, onLine: (line) => lines.push(line) }),
    );
    expect(lines).toEqual([await realpath(dir), "home=unset"]);
  });

  it("does not start when the signal is already aborted", async () => {
    const exit = await runSolverProcess(options(await fixture("hello.py"), { signal: AbortSignal.abort() }));
    expect(exit).toEqual({ exitCode: null, signal: null, aborted: true, durationMs: 0, pid: 0, lastLines: [] });
    await expect(stat(path.join(dir, "main.txt"))).rejects.toThrow(/ENOENT/);
  });
});

describe("runSolverProcess: a solver that cannot start", () => {
  it("names a missing interpreter and says how to fix it", async () => {
    const script = path.join(solvers, "hello.py");
    const error = await runSolverProcess(options(["no-such-python-9", script])).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `cannot start the solver (no-such-python-9 ${script}): "no-such-python-9" was not found on PATH; ` +
        `install it, or set "command" in config.json to the interpreter to use`,
    );
  });

  it("names a file that may not be run", async () => {
    const script = path.join(dir, "solver");
    await writeFile(script, "#!/bin/sh\necho hi\n");
    await chmod(script, 0o644);
    const error = await runSolverProcess(options([script])).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(`cannot start the solver (${script})`);
    expect((error as Error).message).toContain(`chmod +x ${script}`);
  });

  it("names a script whose #! interpreter is missing", async () => {
    const script = path.join(dir, "solver");
    await writeFile(script, "#!/no/such/interpreter\n");
    await chmod(script, 0o755);
    await expect(runSolverProcess(options([script]))).rejects.toThrow(/"#!" interpreter does not/);
  });

  it("names a working folder that does not exist", async () => {
    const cwd = path.join(dir, "scripts");
    await expect(runSolverProcess(options(await fixture("hello.py"), { cwd }))).rejects.toThrow(
      new SolverError(`the solver's working folder does not exist: ${cwd}`),
    );
  });

  it("names a log file that cannot be opened", async () => {
    const log = path.join(dir, "missing", "main.txt");
    await expect(runSolverProcess(options(await fixture("hello.py"), { logFiles: [log] }))).rejects.toThrow(
      `cannot open the solver log ${log}`,
    );
  });

  it("checks its options", async () => {
    await expect(runSolverProcess(options([]))).rejects.toThrow(/"argv" must be/);
    await expect(runSolverProcess(options(["true"], { graceMs: -1 }))).rejects.toThrow(/"graceMs"/);
    await expect(runSolverProcess(options(["true"], { tailLines: 1.5 }))).rejects.toThrow(/"tailLines"/);
  });
});

