import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start real processes; two cores, so keep the pool small.
    maxWorkers: 2,
    // Runs under test share a fresh download cache, never the user's.
    env: { PHYSICSWORKS_CACHE_DIR: join(tmpdir(), `physicsworks-test-cache-${process.pid}`) },
  },
});
