import { mkdir, realpath } from "node:fs/promises";
import { ConfigError } from "../errors.js";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createFormCodec } from "../form-codec/form-codec.js";
import { credentialVerifier } from "./auth/auth-guard.js";
import { Router } from "./http/router.js";
import { noLive } from "./live/no-live.js";
import { attachSocketLive } from "./live/socket-live.js";
import { RequestLog } from "./request-log.js";
import { requestHandler } from "./request-pipeline.js";
import { allRoutes } from "./routes/all-routes.js";
import type { ServerContext } from "./server-context.js";
import { resolveOptions, type ServerOptions } from "./server-options.js";
import { DataPaths } from "./store/data-paths.js";
import { KeyLock } from "./store/key-lock.js";
import { BoundedCache } from "./store/bounded-cache.js";
import { JsonLinesTable } from "./store/json-lines-table.js";
import { UploadDigests } from "./store/upload-digests.js";
import type { UploadRecord } from "./store/upload-record.js";
import { serverStore, type ServerStore } from "./store/server-store.js";

/** Runs whose file records are kept in memory at once; past it the least recently used is read again when next needed. */
const RUNS_WITH_FILE_RECORDS_KEPT = 100;

export interface RunningServer {
  /** The root every path is relative to, ending with "/": the runner's `host`. */
  url: string;
  port: number;
  /** Emits run:abort `{runId}` to the run's socket.io room. */
  abortRun(runId: string): void;
  /** The store, read and seeded in-process (the local platform does). */
  store: ServerStore;
  close(): Promise<void>;
}

/** The reference platform server: the routes of protocol.md parts 1 and 3, and socket.io (part 4). */
export async function startServer(serverOptions: ServerOptions): Promise<RunningServer> {
  const options = resolveOptions(serverOptions);
  await mkdir(options.dataDir, { recursive: true });
  // Resolved once, links and all: every path is then checked against the real folder.
  const paths = new DataPaths(await realpath(options.dataDir));
  const verify = credentialVerifier(options);
  const requestLog = new RequestLog(paths.requestLog(), options.log);
  const ctx: ServerContext = {
    options,
    paths,
    locks: new KeyLock(),
    live: noLive(),
    digests: new UploadDigests(options.log),
    forms: createFormCodec(),
    uploads: new JsonLinesTable<UploadRecord>(paths.uploadRecords(), (r) => r.uploadId),
    fileRecords: new BoundedCache(RUNS_WITH_FILE_RECORDS_KEPT),
  };
  const server = http.createServer(requestHandler({ ctx, router: new Router([...allRoutes(options), ...(options.extension.routes ?? [])]), verify, requestLog }));
  // Attached after the handler: socket.io wraps the listeners it finds, answers /socket.io/ and hands the rest on.
  if (options.socketIo) ctx.live = attachSocketLive(server, verify, options.extension.onSocketServer);
  const { live } = ctx;

  try {
    await listen(server, options.port, options.host);
  } catch (error) {
    await live.close();
    await requestLog.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const hostPart = options.host.includes(":") ? `[${options.host}]` : options.host;
  const url = `http://${hostPart}:${port}/`;
  options.log(`physicsworks server on ${url}, data in ${paths.root}`);

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    abortRun: (runId) => void live.abortRun(runId),
    store: serverStore(ctx),
    close: () => (closing ??= shutDown(server, ctx, requestLog)),
  };
}

/** Listens; an address that is taken or may not be used is a config error that says which and what to do. */
function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const where = `${host.includes(":") ? `[${host}]` : host}:${port}`;
      if (error.code === "EADDRINUSE") reject(new ConfigError(`server: ${where} is in use by another program; stop it, or give another port (port 0 picks a free one)`, { cause: error }));
      else if (error.code === "EACCES") reject(new ConfigError(`server: may not listen on ${where} (permission denied; ports below 1024 need privileges); give a port of 1024 or more`, { cause: error }));
      else if (error.code === "EADDRNOTAVAIL") reject(new ConfigError(`server: ${host} is not an address of this machine; give one it has, such as 127.0.0.1 or 0.0.0.0`, { cause: error }));
      else reject(error);
    };
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

async function shutDown(server: http.Server, ctx: ServerContext, requestLog: RequestLog): Promise<void> {
  const closed = new Promise<void>((resolve) => server.once("close", () => resolve()));
  try {
    await ctx.live.close(); // socket.io closes the HTTP server itself
    if (server.listening) server.close();
    server.closeAllConnections();
    await closed;
    await requestLog.close();
  } finally {
    await ctx.digests.close();
  }
}
