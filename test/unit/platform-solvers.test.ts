import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { ConfigError, UsageError } from "../../src/errors.js";
import { loadSolvers } from "../../src/local-platform/solvers/load-solvers.js";
import { REPO_ROOT } from "../helpers/work-dir.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "pw-solver-types-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function solverType(name: string, config: string | undefined, readme?: string): Promise<void> {
  await mkdir(path.join(dir, name), { recursive: true });
  if (config !== undefined) await writeFile(path.join(dir, name, "config.json"), config);
  if (readme !== undefined) await writeFile(path.join(dir, name, "README.md"), readme);
}

test("examples/: heat1d and node-solver are solver types, sweep (no config.json) is skipped", async () => {
  const solvers = await loadSolvers(path.join(REPO_ROOT, "examples"));
  expect([...solvers.keys()]).toEqual(["heat1d", "node-solver"]);
  const heat1d = solvers.get("heat1d")!;
  expect(heat1d).toMatchObject({ name: "heat1d", dir: path.join(REPO_ROOT, "examples/heat1d"), config: { mainScript: "main.py" } });
  expect(heat1d.description).toMatch(/^heat1d — /);
});

test("the description: config.json's, else README.md's first line without its heading marks, else empty", async () => {
  await solverType("a", JSON.stringify({ description: " from config " }), "# from readme");
  await solverType("b", "{}", "\n\n## From the README\nmore");
  await solverType("c", "{}");
  await writeFile(path.join(dir, "notes.txt"), "a file, not a folder");
  await solverType(".hidden", "{}");
  const solvers = await loadSolvers(dir);
  expect([...solvers.values()].map((s) => [s.name, s.description])).toEqual([
    ["a", "from config"],
    ["b", "From the README"],
    ["c", ""],
  ]);
});

test("a config.json that is not JSON, or not an object, is a ConfigError naming the file", async () => {
  await solverType("good", "{}");
  await solverType("bad", "{ nope");
  const file = path.join(dir, "bad", "config.json");
  await expect(loadSolvers(dir)).rejects.toThrow(ConfigError);
  await expect(loadSolvers(dir)).rejects.toThrow(`${file}: not valid JSON`);
  await writeFile(file, "[1, 2]");
  await expect(loadSolvers(dir)).rejects.toThrow(`${file}: must be a JSON object of config fields (got an array)`);
});

test("--solvers that is missing or a file is a UsageError; a folder with no solver types is a ConfigError", async () => {
  await expect(loadSolvers(path.join(dir, "missing"))).rejects.toThrow(UsageError);
  await expect(loadSolvers(path.join(dir, "missing"))).rejects.toThrow(/--solvers .*missing: does not exist/);
  await writeFile(path.join(dir, "file"), "");
  await expect(loadSolvers(path.join(dir, "file"))).rejects.toThrow(/is not a folder/);
  await solverType("empty", undefined);
  await expect(loadSolvers(dir)).rejects.toThrow(/no solver types there/);
});
