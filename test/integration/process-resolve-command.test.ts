import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { resolveSolverCommand } from "../../src/process/index.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "pw-resolve-"));
  for (const name of ["main.py", "main.js", "main.mjs", "main.cjs", "main.sh", "MAIN.PY", "solver.dat"]) {
    await writeFile(path.join(dir, name), "\n");
  }
  await writeFile(path.join(dir, "solver"), "#!/bin/sh\necho hi\n");
  await chmod(path.join(dir, "solver"), 0o755);
  await mkdir(path.join(dir, "folder.py"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("resolveSolverCommand", () => {
  it.each([
    ["main.py", "python3"],
    ["MAIN.PY", "python3"],
    ["main.js", process.execPath],
    ["main.mjs", process.execPath],
    ["main.cjs", process.execPath],
    ["main.sh", "bash"],
  ])("runs %s with %s", async (name, interpreter) => {
    const script = path.join(dir, name);
    expect(await resolveSolverCommand(script)).toEqual([interpreter, script]);
  });

  it("runs an executable file without an interpreter", async () => {
    const script = path.join(dir, "solver");
    expect(await resolveSolverCommand(script)).toEqual([script]);
  });

  it("makes a relative script path absolute", async () => {
    const relative = path.relative(process.cwd(), path.join(dir, "main.py"));
    expect(await resolveSolverCommand(relative)).toEqual(["python3", path.join(dir, "main.py")]);
  });

  it("lets a configured command, a string split on whitespace, replace the interpreter", async () => {
    const script = path.join(dir, "main.py");
    expect(await resolveSolverCommand(script, "  python3.11   -u ")).toEqual(["python3.11", "-u", script]);
    expect(await resolveSolverCommand(script, ["/opt/my python/bin/python", "-X", "dev"])).toEqual([
      "/opt/my python/bin/python",
      "-X",
      "dev",
      script,
    ]);
    // A command also makes an unknown, non-executable file runnable.
    const data = path.join(dir, "solver.dat");
    expect(await resolveSolverCommand(data, "julia")).toEqual(["julia", data]);
  });

  it("refuses an empty command", async () => {
    await expect(resolveSolverCommand(path.join(dir, "main.py"), " ")).rejects.toThrow(/"command" in config.json is empty/);
    await expect(resolveSolverCommand(path.join(dir, "main.py"), [])).rejects.toThrow(ConfigError);
  });

  it("says where to set the main script when it is missing", async () => {
    const missing = path.join(dir, "nope.py");
    const error = await resolveSolverCommand(missing).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      `main script not found: ${missing} (set "mainScript" in config.json or put the script in scripts/)`,
    );
  });

  it("refuses a folder as the main script", async () => {
    await expect(resolveSolverCommand(path.join(dir, "folder.py"))).rejects.toThrow(/is not a file/);
  });

  it("says how to run a file of unknown kind that is not executable", async () => {
    const script = path.join(dir, "solver.dat");
    const error = await resolveSolverCommand(script).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain(script);
    expect(message).toContain('set "command" in config.json');
    expect(message).toContain(`chmod +x ${script}`);
  });
});
