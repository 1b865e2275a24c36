import { readFile, rename, writeFile } from "node:fs/promises";
import type { PlatformTarget } from "../options.js";
import { createPlatformClient, type PlatformClient } from "../platform/client.js";
import { connectLiveSocket, type LiveSocket } from "../platform/live-socket.js";
import { RunReporter } from "../platform/run-reporter.js";
import { CHUNK_SIZE, type Capabilities, type RunNode } from "../platform/types.js";
import { Uploader } from "../upload/uploader.js";
import type { RunContext } from "./run-context.js";

/** The platform side of a run with a host: the client, the run node's reporter, the uploader, the live socket. */
export interface PlatformSession {
  target: PlatformTarget;
  client: PlatformClient;
  capabilities: Capabilities;
  reporter: RunReporter;
  uploader: Uploader;
  socket?: LiveSocket;
  close(): Promise<void>;
}

/** Opens the session: asks what the platform offers, creates the run node and writes it back to config.json. */
export async function openPlatformSession(ctx: RunContext, target: PlatformTarget): Promise<PlatformSession> {
  const { tuning } = ctx.options;
  const client = createPlatformClient({
    host: target.host,
    token: target.token,
    ...(tuning.retry ? { retry: tuning.retry } : {}),
  });
  try {
    const capabilities = await client.capabilities();
    const node = await client.createRun(target.simulation);
    node.children ??= [];
    ctx.runId = node.id;
    await writeResourceBack(ctx, node);
    const socket = capabilities.events.includes("socket.io")
      ? connectLiveSocket({ host: target.host, token: target.token, runId: node.id, onAbort: () => ctx.abort("user") })
      : undefined;
    const reporter = new RunReporter({
      client,
      simulation: target.simulation,
      node,
      intervalMs: tuning.statusIntervalMs,
      warn: ctx.warn,
      ...(socket ? { onStatus: (status, progress, label) => socket.status(status, progress, label) } : {}),
    });
    const uploader = new Uploader({
      outputsDir: ctx.paths.outputs,
      target: client,
      metadata: {
        project: target.project,
        owner: target.owner,
        resource: target.job,
        resourceKind: "Run",
        simulation: target.simulation,
        runId: node.id,
      },
      useV2: capabilities.uploads.includes("v2"),
      concurrency: tuning.uploadConcurrency,
      liveIntervalMs: tuning.liveIntervalMs,
      chunkSize: tuning.chunkSize ?? CHUNK_SIZE,
      onEntry: (slug, entry) => reporter.addEntry(slug, entry),
      warn: ctx.warn,
    });
    ctx.emit({ type: "info", message: `run node ${node.id} created on ${target.host} (uploads ${capabilities.uploads.join("+")})` });
    return {
      target,
      client,
      capabilities,
      reporter,
      uploader,
      ...(socket ? { socket } : {}),
      async close() {
        await socket?.close();
        client.close();
      },
    };
  } catch (error) {
    client.close();
    throw error;
  }
}

/** The Python runner writes `resource: {id, name}` of the run node into config.json; so does this one. */
async function writeResourceBack(ctx: RunContext, node: RunNode): Promise<void> {
  const path = ctx.options.configPath;
  if (!path || !/\.json$/i.test(path)) return;
  try {
    const config = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
    config.resource = { id: node.id, name: node.name };
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(config, null, 2)}\n`);
    await rename(tmp, path);
  } catch (error) {
    ctx.warn(`could not write the run node into ${path}: ${(error as Error).message}`);
  }
}
