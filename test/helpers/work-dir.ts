import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";

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

/**
 * Temporary work directories for one test file: each is removed after its test.
 * Call at the top level of a test file.
 */
export function useTempWorks(): {
  work(solver: string, config?: Record<string, unknown>): Promise<TempWork>;
  tempDir(prefix: string): Promise<string>;
} {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((c) => c()));
  });
  return {
    async work(solver, config = {}) {
      const w = await tempWork(solver, config);
      cleanups.push(w.cleanup);
      return w;
    },
    async tempDir(prefix) {
      const dir = await mkdtemp(join(tmpdir(), prefix));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      return dir;
    },
  };
}
