import { hostname } from "node:os";
import type { RunResult } from "../run-result.js";
import { EventsClient } from "./events-client.js";

export interface RunEventPublisherOptions {
  url: string;
  token?: string;
  credsFile?: string;
  runId: string;
  workDir: string;
  /** Least time between two run:progress events; the last value always goes out (default 1000). */
  throttleMs?: number;
  /** How long to try to reach NATS before the run goes on without events (default 3000). */
  connectTimeoutMs?: number;
  /** How long one publish may wait for JetStream (default 5000). */
  publishTimeoutMs?: number;
  /** Carried in run:started when known. */
  project?: string;
  simulation?: string;
  job?: string;
  /** Problems after the start (a publish that failed); reported once each kind, never thrown. */
  onWarning?: (message: string) => void;
  /** The events stream (default PHYSICSWORKS_EVENTS). */
  stream?: string;
  env?: NodeJS.ProcessEnv;
}

export interface RunEventPublisher {
  /** Queues a run:progress; sent at once or, inside the throttle window, at its end (latest value wins). */
  progress(progress: number, label: string): void;
  /** Sends what progress is pending, then run:finished or run:failed; waits for it (never throws). */
  finish(result: RunResult): Promise<void>;
  /** Drains the connection. */
  close(): Promise<void>;
  /** Set when NATS could not be reached or used: this publisher then does nothing. */
  warning?: string;
}

/**
 * The runner's events (run:started, run:progress, run:finished / run:failed) for one run.
 * Events must never fail a run: when NATS cannot be reached, the publisher does nothing and says
 * why in `warning`; a publish that fails later is a warning through `onWarning`.
 */
export async function startRunEventPublisher(options: RunEventPublisherOptions): Promise<RunEventPublisher> {
  let client: EventsClient;
  try {
    client = await EventsClient.connect({
      url: options.url,
      ...(options.token ? { token: options.token } : {}),
      ...(options.credsFile ? { credsFile: options.credsFile } : {}),
      ...(options.stream ? { stream: options.stream } : {}),
      ...(options.env ? { env: options.env } : {}),
      name: `physicsworks-solve run ${options.runId}`,
      connectTimeoutMs: options.connectTimeoutMs ?? 3000,
      publishTimeoutMs: options.publishTimeoutMs ?? 5000,
      log: () => undefined,
    });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { ...silentPublisher(), warning: `run events are not published: ${why}` };
  }
  return new ClientRunEvents(client, options);
}

function silentPublisher(): RunEventPublisher {
  return { progress: () => undefined, finish: async () => undefined, close: async () => undefined };
}

class ClientRunEvents implements RunEventPublisher {
  private readonly throttleMs: number;
  private lastSentAt = -Infinity;
  private pending: { progress: number; label: string } | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** One publish at a time, in order: progress never overtakes the final event. */
  private chain: Promise<void> = Promise.resolve();
  private failures = 0;
  private finished = false;

  constructor(
    private readonly client: EventsClient,
    private readonly options: RunEventPublisherOptions,
  ) {
    this.throttleMs = options.throttleMs ?? 1000;
    const started = {
      runId: options.runId,
      workDir: options.workDir,
      hostname: hostname(),
      startedAt: new Date().toISOString(),
      ...(options.project ? { project: options.project } : {}),
      ...(options.simulation ? { simulation: options.simulation } : {}),
      ...(options.job ? { job: options.job } : {}),
    };
    this.send(() => this.client.publish("run:started", started));
  }

  progress(progress: number, label: string): void {
    if (this.finished) return;
    this.pending = { progress: Math.min(100, Math.max(0, progress)), label };
    const wait = this.lastSentAt + this.throttleMs - performance.now();
    if (wait <= 0) this.flushProgress();
    else this.timer ??= setTimeout(() => this.flushProgress(), wait);
  }

  async finish(result: RunResult): Promise<void> {
    if (this.finished) return;
    this.flushProgress();
    this.finished = true;
    const common = {
      runId: result.runId || this.options.runId,
      workDir: result.workDir || this.options.workDir,
      progress: Math.min(100, Math.max(0, result.progress)),
      label: result.label,
      durationMs: result.durationMs,
      finishedAt: new Date().toISOString(),
    };
    if (result.status === "finished") {
      this.send(() => this.client.publish("run:finished", { ...common, results: result.results, outputCount: result.outputs.length }));
    } else {
      const error = result.error ?? { code: "internal", message: result.label };
      this.send(() => this.client.publish("run:failed", { ...common, exitCode: result.exitCode, error }));
    }
    await this.chain;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.finished = true;
    await this.chain;
    if (this.failures > 1) this.options.onWarning?.(`${this.failures} run events could not be published to NATS`);
    try {
      await this.client.close();
    } catch {
      // A connection that cannot drain is closed anyway; the run does not care.
    }
  }

  private flushProgress(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const next = this.pending;
    if (!next) return;
    this.pending = undefined;
    this.lastSentAt = performance.now();
    this.send(() => this.client.publish("run:progress", { runId: this.options.runId, ...next, at: new Date().toISOString() }));
  }

  private send(publish: () => Promise<unknown>): void {
    this.chain = this.chain.then(async () => {
      try {
        await publish();
      } catch (error) {
        this.failures++;
        if (this.failures === 1) {
          this.options.onWarning?.(`a run event could not be published to NATS: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    });
  }
}
