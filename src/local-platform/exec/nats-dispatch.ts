import type { NatsConnection } from "nats";
import { connectNats } from "../../events/nats-connection.js";
import { submitRuns } from "../../events/worker/submit-runs.js";

/** The work queue `physicsworks-solve worker` reads by default. */
export const JOB_STREAM = "PHYSICSWORKS_RUNS";

/**
 * Hands jobs to the NATS work queue: a request per job, naming its config.json by path (workers on
 * this machine, or on a shared filesystem, read it there; the runner's token stays out of the stream).
 * The job id is the run id, so a second submit of one job is dropped by JetStream.
 */
export class NatsDispatch {
  private constructor(private readonly nc: NatsConnection) {}

  static async connect(url: string): Promise<NatsDispatch> {
    return new NatsDispatch(await connectNats({ url, name: "physicsworks-platform" }));
  }

  async submit(jobId: string, configPath: string): Promise<void> {
    await submitRuns({ nc: this.nc, stream: JOB_STREAM, configs: [configPath], reference: true, makeId: () => jobId });
  }

  async close(): Promise<void> {
    await this.nc.drain().catch(() => this.nc.close());
  }
}
