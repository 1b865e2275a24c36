/**
 * Where downloads are cached on a node: PHYSICSWORKS_CACHE_DIR, else the XDG cache folder
 * ($XDG_CACHE_HOME, or ~/.cache) under "physicsworks-solve". Runs on one node share it.
 */
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

export const CACHE_DIR_ENV = "PHYSICSWORKS_CACHE_DIR";
const APP = "physicsworks-solve";

export function resolveCacheDir(env: Record<string, string | undefined>, dir?: string): string {
  if (dir) return resolve(dir);
  const own = env[CACHE_DIR_ENV];
  if (own) return resolve(own);
  // The XDG spec: a relative XDG_CACHE_HOME is invalid and is to be ignored.
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, APP);
  return join(env.HOME || homedir(), ".cache", APP);
}
