import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { REPO_ROOT } from "./work-dir.js";

export function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A zip of the heat1d example's scripts/, built with python3's zipfile (a real archive, as the platform holds it). */
export function heat1dScriptsZip(dest: string): void {
  execFileSync("python3", [
    "-c",
    "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED)\nz.write(sys.argv[2], 'main.py')\nz.close()",
    dest,
    join(REPO_ROOT, "examples/heat1d/scripts/main.py"),
  ]);
}

/** Run data as the platform serves it, with one mesh, a material with a SingleValue property and the scripts archive. */
export function heat1dRunData(scriptsFileId: string, meshFileId: string, inputsFileId?: string) {
  return {
    simulation: { tree: { id: "tree-1", name: "Rod" }, meshes: [{ id: "mesh-1", rawMeshFile: meshFileId }] },
    materials: [
      { id: "mat-1", composition: { name: "aluminium" }, variant: { properties: [{ name: "k", type: "SingleValue", values: [{ x: 0, y: 237 }] }] } },
    ],
    inputs: { slow: 1 },
    physicsFeature: {
      config: { downloadable: { basic: { outputs: { plots: true } } } },
      scripts: scriptsFileId,
      ...(inputsFileId ? { inputs: inputsFileId } : {}),
    },
  };
}

/** A work directory `dir` whose scripts/main.py is `solver`, with a config.json for a run on server `s`; returns the config's path. */
export async function writePlatformRun(dir: string, s: { url: string; token: string }, solver: string): Promise<string> {
  await mkdir(join(dir, "scripts"), { recursive: true });
  await writeFile(join(dir, "scripts", "main.py"), solver);
  const configPath = join(dir, "config.json");
  await writeConfig(configPath, platformFields(s, { workDir: "." }));
  return configPath;
}

export async function writeConfig(path: string, fields: Record<string, unknown>): Promise<void> {
  await writeFile(path, JSON.stringify(fields, null, 2));
}

export async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, "utf8")) as T;
}

/** The config fields of a run on a test server (project p1, simulation sim1); `extra` adds or overrides. */
export function platformFields(s: { url: string; token: string }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { host: s.url, token: s.token, project: "p1", simulation: "sim1", job: "job1", owner: "owner1", ...extra };
}
