import type { RunOptions } from "../options.js";
import type { RunResult } from "../run-result.js";

export interface NatsEvents {
  progress(progress: number, label: string): void;
  /** run:finished or run:failed, then the connection is drained. Never throws. */
  finish(result: RunResult): Promise<void>;
}

const NONE: NatsEvents = { progress: () => undefined, finish: async () => undefined };

/**
 * The run's events on NATS when the config names a server (protocol.md part 5). Loaded only then,
 * and never able to fail the run: a NATS that cannot be reached is a warning.
 */
export async function startNatsEvents(options: RunOptions, runId: string, warn: (message: string) => void): Promise<NatsEvents> {
  if (!options.natsUrl) return NONE;
  const { startRunEventPublisher } = await import("../events/run-event-publisher.js");
  const platform = options.platform;
  const publisher = await startRunEventPublisher({
    url: options.natsUrl,
    runId,
    workDir: options.workDir,
    env: options.baseEnv,
    onWarning: warn,
    ...(platform ? { project: platform.project, simulation: platform.simulation, job: platform.job } : {}),
  });
  if (publisher.warning) warn(publisher.warning);
  return {
    progress: (progress, label) => publisher.progress(progress, label),
    async finish(result) {
      await publisher.finish(result);
      await publisher.close();
    },
  };
}
