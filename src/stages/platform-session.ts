import { join } from "node:path";
import type { PlatformTarget } from "../options.js";
import { createPlatformClient, type PlatformClient } from "../platform/client.js";
import { connectLiveSocket, type LiveSocket } from "../platform/live-socket.js";
import { RunReporter } from "../platform/run-reporter.js";
import { CHUNK_SIZE, type Capabilities, type RunNode } from "../platform/types.js";
import { UploadJournal } from "../upload/upload-journal.js";
import { Uploader } from "../upload/uploader.js";
import { isVisualizationSource } from "../postprocess/index.js";
import { readPlatformRunFile, writePlatformRunFile } from "./platform-run-file.js";
import type { RunContext } from "./run-context.js";
import { shownHost } from "../config/host-url.js";
import { retryNotice } from "./retry-notice.js";
import { writeResourceBack } from "./write-resource-back.js";

/** The platform side of a run with a host: the client, the run node's reporter, the uploader, the live socket. */
export interface PlatformSession {
  target: PlatformTarget;
  /** The client of the sends (uploads, the results patch): `stopSends` aborts its calls. */
  client: PlatformClient;
  capabilities: Capabilities;
  /** Sends the run node on a client of its own, so the final status still goes after `stopSends`. */
  reporter: RunReporter;
  uploader: Uploader;
  /** What the platform has of each output (debug/uploads.json). */
  journal: UploadJournal;
  socket?: LiveSocket;
  /** The run node was taken over from an earlier start on this work directory. */
  resumed: boolean;
  /** An earlier start's run node on this work directory that had ended (its final status went): this start made a new one. */
  supersedes?: string;
  /** Records that the final status went through, so a later start creates a new run. */
  markFinalSent(): Promise<void>;
  /**
   * The flush time ran out: every send under way is aborted and none starts from now on (the
   * uploader's pool stops, the client's calls fail at once). The run node's updates still go.
   */
  stopSends(): void;
  readonly sendsStopped: boolean;
  close(): Promise<void>;
}

export interface OpenSessionOptions {
  /**
   * Resume the run node of debug/platform-run.json although its final status went through: `sync`
   * sending what the flush time left unsent, to the run that left it.
   */
  resumeFinished?: boolean;
}

/** Opens the session: asks what the platform offers, creates the run node and writes it back to config.json. */
export async function openPlatformSession(ctx: RunContext, target: PlatformTarget, open: OpenSessionOptions = {}): Promise<PlatformSession> {
  const { tuning } = ctx.options;
  const stop = new AbortController();
  const clientOptions = { host: target.host, token: target.token, retry: { ...tuning.retry, onRetry: retryNotice(ctx) } };
  const client = createPlatformClient({ ...clientOptions, signal: stop.signal });
  const statusClient = createPlatformClient(clientOptions);
  try {
    const capabilities = await client.capabilities();
    const runFile = join(ctx.paths.debug, "platform-run.json");
    const previous = await readPlatformRunFile(runFile);
    const resumed = Boolean(previous && (!previous.finalSent || open.resumeFinished) && previous.runId === target.resourceId);
    const node = resumed && previous ? previous.node : await client.createRun(target.simulation);
    node.children ??= [];
    ctx.runId = node.id;
    if (!resumed) await noteResource(ctx, node);
    const journal = await UploadJournal.load(join(ctx.paths.debug, "uploads.json"));
    journal.startRun(node.id);
    let saving = writePlatformRunFile(runFile, { runId: node.id, node, finalSent: false });
    const saveNode = (sent: RunNode, finalSent = false) => {
      saving = saving.catch(() => undefined).then(() => writePlatformRunFile(runFile, { runId: sent.id, node: sent, finalSent }));
      return saving;
    };
    await saving;
    const socket = capabilities.events.includes("socket.io")
      ? connectLiveSocket({
          host: target.host,
          token: target.token,
          runId: node.id,
          onAbort: () => ctx.abort("user"),
          ...(client.proxy ? { proxy: client.proxy } : {}),
        })
      : undefined;
    const sentPaths = new Set<string>();
    let sentBytes = 0;
    const reporter = new RunReporter({
      client: statusClient,
      simulation: target.simulation,
      node,
      intervalMs: tuning.statusIntervalMs,
      warn: ctx.warn,
      ...(socket ? { onStatus: (status, progress, label) => socket.status(status, progress, label) } : {}),
      onSent: (sent) => void saveNode(sent).catch(() => undefined),
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
      journal,
      useV2: capabilities.uploads.includes("v2"),
      concurrency: tuning.uploadConcurrency,
      liveIntervalMs: tuning.liveIntervalMs,
      filesDuringRun: tuning.filesDuringRun,
      settleMs: tuning.settleMs,
      chunkSize: tuning.chunkSize ?? CHUNK_SIZE,
      onEntry: (slug, entry) => reporter.addEntry(slug, entry),
      warn: ctx.warn,
      info: (message) => ctx.emit({ type: "info", message }),
      leaveTo: isVisualizationSource,
      privatePaths: [ctx.paths.debug, ...(ctx.options.configPath ? [ctx.options.configPath] : [])],
      onSent: (path, bytes) => {
        sentPaths.add(path);
        sentBytes += bytes;
        ctx.emit({ type: "upload", files: sentPaths.size, bytes: sentBytes });
      },
    });
    ctx.emit({
      type: "info",
      message: `run node ${node.id} ${resumed ? "resumed" : "created"} on ${shownHost(target.host)} (uploads ${capabilities.uploads.join("+")})`,
    });
    return {
      target,
      client,
      capabilities,
      reporter,
      uploader,
      journal,
      ...(socket ? { socket } : {}),
      resumed,
      ...(previous?.finalSent && !resumed ? { supersedes: previous.runId } : {}),
      markFinalSent: () => saveNode(reporter.node, true),
      stopSends() {
        uploader.stop();
        stop.abort();
      },
      get sendsStopped() {
        return stop.signal.aborted;
      },
      async close() {
        await socket?.close();
        client.close();
        statusClient.close();
      },
    };
  } catch (error) {
    client.close();
    statusClient.close();
    throw error;
  }
}

/** The run node into config.json (writeResourceBack), and a word when that was not done. */
async function noteResource(ctx: RunContext, node: RunNode): Promise<void> {
  const path = ctx.options.configPath;
  // A YAML config is the user's own text: its comments would not survive a rewrite.
  if (!path || !/\.json$/i.test(path)) return;
  try {
    const outcome = await writeResourceBack(path, { id: node.id, name: node.name });
    if (outcome === "read-only") {
      ctx.emit({ type: "info", message: `${path} is read-only: the run node ${node.id} is not written into it (a runner started again opens a new run node)` });
    } else if (outcome === "busy") {
      ctx.warn(`could not write the run node into ${path}: the file changed under each of 3 tries; left as it is (a runner started again opens a new run node)`);
    }
  } catch (error) {
    ctx.warn(`could not write the run node into ${path}: ${(error as Error).message}`);
  }
}
