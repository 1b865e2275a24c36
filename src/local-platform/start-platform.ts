import path from "node:path";
import { startServer, type RunningServer } from "../server/index.js";
import { attachPlatformLive } from "./dashboard/platform-live.js";
import { openPlatformDb } from "./db/open-platform-db.js";
import { createJobService } from "./exec/job-service.js";
import { createJobEvents } from "./job-events.js";
import type { PlatformDeps } from "./platform-deps.js";
import { platformSettings, type PlatformOptions } from "./platform-options.js";
import { platformRoutes } from "./platform-routes.js";

export interface RunningPlatform {
  /** The server's root, ending with "/"; the job API is under `api/v1/`, the dashboard at the root. */
  url: string;
  server: RunningServer;
  deps: PlatformDeps;
  /** Stops the job service, the server, then the database. */
  close(): Promise<void>;
}

/**
 * The local platform: the protocol server with the job API, the dashboard and the live namespace
 * on top, jobs run by the runner itself. Users authenticate with their own JWTs (the platform's
 * secret signs them); runners get job tokens from the job service.
 */
export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  const log = options.log ?? (() => undefined);
  const settings = await platformSettings(options);
  const db = openPlatformDb(path.join(settings.dataDir, "platform.db"));
  try {
    const events = createJobEvents((error) => log(`a job listener failed: ${error instanceof Error ? error.message : String(error)}`));
    const jobs = createJobService(settings, db, events);
    const deps: PlatformDeps = { settings, db, events, jobs, server: {} };
    const server = await startServer({
      dataDir: settings.dataDir,
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.host !== undefined ? { host: options.host } : {}),
      jwtSecret: settings.jwtSecret,
      log,
      extension: {
        routes: platformRoutes(deps),
        onRunUpdate: (runId, node, simulation) => deps.jobs.runUpdated(runId, node, simulation),
        onSocketServer: (io) => attachPlatformLive(io, deps),
      },
    });
    deps.server.current = server;
    try {
      await jobs.start(server);
    } catch (error) {
      await server.close();
      throw error;
    }
    let closing: Promise<void> | undefined;
    return {
      url: server.url,
      server,
      deps,
      close: () =>
        (closing ??= (async () => {
          try {
            await jobs.stop();
          } finally {
            await server.close();
            db.close();
          }
        })()),
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
