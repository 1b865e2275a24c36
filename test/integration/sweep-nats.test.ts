import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { connect, JSONCodec } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sweepRunCommand } from "../../src/cli/sweep-command.js";
import type { RunRequest } from "../../src/events/worker/run-request.js";
import { workQueueNames } from "../../src/events/worker/work-queue.js";
import { loadSweep } from "../../src/sweep/index.js";
import { natsTestGate, startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { useTempWorks } from "../helpers/work-dir.js";

const gate = natsTestGate();
const temps = useTempWorks();

describe.skipIf(gate.skip)("sweep run --scheduler nats", () => {
  let server: NatsServer;
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(() => server?.stop());

  it("queues every point by reference to its run's config.json", async () => {
    const dir = await temps.tempDir("pw-sweep-nats-");
    await mkdir(join(dir, "solver"));
    await writeFile(join(dir, "solver", "main.sh"), "echo hi\n");
    const specPath = join(dir, "queued.yaml");
    await writeFile(specPath, `base: {mainScript: main.sh}\nscripts: ./solver\nparameters:\n  x: {from: 1, to: 3, step: 1}\n`);
    let out = "";
    const stream = new PassThrough().on("data", (d: Buffer) => (out += d.toString()));
    const code = await sweepRunCommand(specPath, { scheduler: "nats", nats: server.url, stream: "SWEEP_T" }, new AbortController().signal, { out: stream, err: new PassThrough() });
    expect(code).toBe(0);
    const { points } = await loadSweep(specPath);
    expect(out.trim().split("\n")).toEqual(points.map((p) => `sweep-queued-${p.dir}`));

    const nc = await connect({ servers: server.url });
    try {
      const names = workQueueNames("SWEEP_T");
      const jsm = await nc.jetstreamManager();
      expect((await jsm.streams.info(names.stream)).state.messages).toBe(3);
      const codec = JSONCodec<RunRequest>();
      const first = codec.decode((await jsm.streams.getMessage(names.stream, { seq: 1 })).data);
      expect(first).toMatchObject({ id: `sweep-queued-${points[0]!.dir}`, configPath: join(dir, "runs", points[0]!.dir, "config.json") });
    } finally {
      await nc.close();
    }
  });
});
