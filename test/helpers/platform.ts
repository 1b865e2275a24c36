import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startPlatform, type RunningPlatform } from "../../src/local-platform/index.js";
import type { PlatformOptions } from "../../src/local-platform/platform-options.js";
import type { User } from "../../src/local-platform/platform-types.js";
import { REPO_ROOT } from "./work-dir.js";

/** Solver types of the test fixtures (test/fixtures/solver-types/<name>/), beside examples/heat1d. */
export const FIXTURE_SOLVER_TYPES = path.join(REPO_ROOT, "test/fixtures/solver-types");

export interface TestPlatform extends RunningPlatform {
  dataDir: string;
  solversDir: string;
  /** Closes the platform and removes its data and solvers folders. */
  cleanup(): Promise<void>;
}

/**
 * A real platform on 127.0.0.1, any free port, over a fresh temporary data folder; its solvers
 * folder is a temporary copy of examples/heat1d and of every fixture solver type. Options override
 * (a given dataDir is kept by cleanup: a restart test reuses it).
 */
export async function startTestPlatform(options: Partial<PlatformOptions> = {}): Promise<TestPlatform> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), "pw-platform-")));
  const solversDir = options.solversDir ?? (await testSolversDir());
  const platform = await startPlatform({ port: 0, host: "127.0.0.1", concurrency: 2, graceMs: 500, ...options, dataDir, solversDir });
  return {
    ...platform,
    dataDir,
    solversDir,
    async cleanup() {
      await platform.close();
      if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
      if (options.solversDir === undefined) await rm(solversDir, { recursive: true, force: true });
    },
  };
}

/** A temporary solvers folder: heat1d (the example) and the fixture solver types. */
export async function testSolversDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "pw-solvers-"));
  await cp(path.join(REPO_ROOT, "examples/heat1d"), path.join(dir, "heat1d"), { recursive: true });
  await cp(FIXTURE_SOLVER_TYPES, dir, { recursive: true });
  return dir;
}

export interface ApiOptions {
  /** A user's token; none: no Authorization header. */
  token?: string;
  /** Sent as application/json. */
  json?: unknown;
  /** A raw body (for malformed JSON). */
  body?: string;
  headers?: Record<string, string>;
}

/** One real HTTP request; `path` is relative to the root ("api/v1/jobs") or absolute ("/api/v1/jobs"). */
export function api(p: Pick<RunningPlatform, "url">, method: string, apiPath: string, options: ApiOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.json);
  } else if (options.body !== undefined) {
    headers["content-type"] ??= "application/json";
    body = options.body;
  }
  return fetch(new URL(apiPath.replace(/^\/+/, ""), p.url), { method, headers, ...(body !== undefined ? { body } : {}) });
}

export type ApiUser = Pick<User, "id" | "name" | "scopes">;

/** Registers `name` (password "password-<name>") and returns its token and user; throws unless 201. */
export async function registerUser(p: Pick<RunningPlatform, "url">, name: string): Promise<{ token: string; user: ApiUser }> {
  const res = await api(p, "POST", "api/v1/auth/register", { json: { name, password: passwordOf(name) } });
  if (res.status !== 201) throw new Error(`register ${name}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { token: string; user: ApiUser };
}

/** The password registerUser gives `name`. */
export function passwordOf(name: string): string {
  return `password-${name}`;
}
