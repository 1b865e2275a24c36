import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const FIXTURE_SOLVERS = join(REPO_ROOT, "test/fixtures/solvers");
export const CLI = join(REPO_ROOT, "bin/physicsworks-solve.js");

export interface TempWork {
  dir: string;
  configPath: string;
  cleanup(): Promise<void>;
}

/**
 * A real temporary work directory with one fixture solver copied in as scripts/<name>,
 * and a config.json naming it. `config` adds or overrides fields.
 */
export async function tempWork(solver: string, config: Record<string, unknown> = {}): Promise<TempWork> {
  const dir = await mkdtemp(join(tmpdir(), "pw-test-"));
  await mkdir(join(dir, "scripts"), { recursive: true });
  await copyFile(join(FIXTURE_SOLVERS, solver), join(dir, "scripts", solver));
  const configPath = join(dir, "config.json");
  await writeFile(configPath, JSON.stringify({ workDir: ".", mainScript: solver, ...config }, null, 2));
  return { dir, configPath, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
