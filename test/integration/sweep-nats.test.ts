import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { connect, JSONCodec, nanos, RetentionPolicy } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sweepRunCommand, sweepStatusCommand } from "../../src/cli/sweep-command.js";
import { readQueueStatus, startWorker } from "../../src/events/index.js";
import type { RunRequest } from "../../src/events/worker/run-request.js";
import { workQueueNames } from "../../src/events/worker/work-queue.js";
import { loadSweep } from "../../src/sweep/index.js";
import { pointRunId } from "../../src/sweep/submit-nats.js";
import { runSolver } from "../../src/index.js";
import { natsTestGate, startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/pids.js";
import { useTempWorks } from "../helpers/work-dir.js";

const gate = natsTestGate();
const temps = useTempWorks();

/** A sweep spec `<name>.yaml` of three points (x = 1, 2, 3) over a solver folder holding `script`. */
async function sweepOf(name: string, script: string, text: string): Promise<{ dir: string; specPath: string }> {
  const dir = await temps.tempDir("pw-sweep-nats-");
  await mkdir(join(dir, "solver"));
  await writeFile(join(dir, "solver", script), text);
  const specPath = join(dir, `${name}.yaml`);
  await writeFile(specPath, `base: {mainScript: ${script}}\nscripts: ./solver\nparameters:\n  x: {from: 1, to: 3, step: 1}\n`);
  return { dir, specPath };
}

/** `sweep run <spec> --scheduler nats` into `stream` on `url`, which must exit 0: the ids it printed and what it said on stderr. */
async function sweepRunNats(url: string, specPath: string, stream: string): Promise<{ ids: string[]; err: string }> {
  let out = "";
  let err = "";
  const io = { out: new PassThrough().on("data", (d: Buffer) => (out += d.toString())), err: new PassThrough().on("data", (d: Buffer) => (err += d.toString())) };
  expect(await sweepRunCommand(specPath, { scheduler: "nats", nats: url, stream }, new AbortController().signal, io), err).toBe(0);
  return { ids: out.trim().split("\n").filter(Boolean), err };
}

describe.skipIf(gate.skip)("sweep run --scheduler nats", () => {
  let server: NatsServer;
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(() => server?.stop());

  it("queues every point by reference to its run's config.json", async () => {
    const { dir, specPath } = await sweepOf("queued", "main.sh", "echo hi\n");
    let out = "";
    const stream = new PassThrough().on("data", (d: Buffer) => (out += d.toString()));
    const code = await sweepRunCommand(specPath, { scheduler: "nats", nats: server.url, stream: "SWEEP_T" }, new AbortController().signal, { out: stream, err: new PassThrough() });
    expect(code).toBe(0);
    const { spec, points } = await loadSweep(specPath);
    expect(out.trim().split("\n")).toEqual(points.map((p) => pointRunId(spec, p)));
    expect(pointRunId(spec, points[0]!)).toMatch(new RegExp(`^sweep-queued-[0-9a-f]{8}-${points[0]!.dir}$`));

    const nc = await connect({ servers: server.url });
    try {
      const names = workQueueNames("SWEEP_T");
      const jsm = await nc.jetstreamManager();
      expect((await jsm.streams.info(names.stream)).state.messages).toBe(3);
      const codec = JSONCodec<RunRequest>();
      const first = codec.decode((await jsm.streams.getMessage(names.stream, { seq: 1 })).data);
      expect(first).toMatchObject({ id: pointRunId(spec, points[0]!), configPath: join(dir, "runs", points[0]!.dir, "config.json"), inPlace: true });
    } finally {
      await nc.close();
    }
  });

  it("a second sweep run leaves the points still in the queue to it, past the duplicate window too, and queues the one that left it unfinished", async () => {
    const { specPath } = await sweepOf("again", "main.sh", "echo hi\n");
    const names = workQueueNames("SWEEP_A");
    const nc = await connect({ servers: server.url });
    try {
      const jsm = await nc.jetstreamManager();
      // The queue as a submit makes it, but with a 1 s duplicate window: past it, JetStream no longer drops a second submit of an id.
      await jsm.streams.add({ name: names.stream, subjects: [names.requests], retention: RetentionPolicy.Workqueue, duplicate_window: nanos(1000) });
      const submit = () => sweepRunNats(server.url, specPath, names.stream);
      const { spec, points } = await loadSweep(specPath);
      expect((await submit()).ids).toHaveLength(3);
      await new Promise((resolve) => setTimeout(resolve, 1500));

      const second = await submit();
      expect(second.ids).toEqual([]);
      expect(second.err).toContain("3 of 3 points are still in the work queue SWEEP_A (waiting or running), not queued again");
      expect((await jsm.streams.info(names.stream)).state.messages).toBe(3);

      // Point 1's request leaves the queue without a finished run (a worker gave up on it): the next submission queues it alone.
      await jsm.streams.deleteMessage(names.stream, 2);
      const third = await submit();
      expect(third.ids).toEqual([pointRunId(spec, points[1]!)]);
      expect(third.err).toContain("2 of 3 points are still in the work queue SWEEP_A");
      expect((await jsm.streams.info(names.stream)).state.messages).toBe(3);
    } finally {
      await nc.close();
    }
  });

  it("a point whose request left the queue unfinished (it failed) is queued again at once, within the stream's duplicate window", async () => {
    const { specPath } = await sweepOf("requeue", "main.sh", "echo hi\n");
    const names = workQueueNames("SWEEP_RQ");
    const submit = async () => (await sweepRunNats(server.url, specPath, names.stream)).ids;
    const { spec, points } = await loadSweep(specPath);
    expect(await submit()).toHaveLength(3);
    const nc = await connect({ servers: server.url });
    try {
      const jsm = await nc.jetstreamManager();
      // Point 1's request is acked by a worker whose run failed: it leaves the stream (the default two-minute window still holds its id).
      await jsm.streams.deleteMessage(names.stream, 2);
      expect(await submit()).toEqual([pointRunId(spec, points[1]!)]);
      expect((await jsm.streams.info(names.stream)).state.messages).toBe(3);
    } finally {
      await nc.close();
    }
  });

  it("two sweeps of the same name in other folders are other runs: each queues its own points", async () => {
    const a = await sweepOf("twin", "main.sh", "echo a\n");
    const b = await sweepOf("twin", "main.sh", "echo b\n");
    const submit = async (specPath: string) => (await sweepRunNats(server.url, specPath, "SWEEP_TWIN")).ids;
    const first = await submit(a.specPath);
    const second = await submit(b.specPath);
    expect(first).toHaveLength(3);
    expect(second).toHaveLength(3);
    expect(second.filter((id) => first.includes(id))).toEqual([]);
    const nc = await connect({ servers: server.url });
    try {
      const jsm = await nc.jetstreamManager();
      expect((await jsm.streams.info(workQueueNames("SWEEP_TWIN").stream)).state.messages).toBe(6);
    } finally {
      await nc.close();
    }
  });

  it("an edited spec: a second sweep run warns of requests still queued for folders the spec no longer has", async () => {
    const { specPath } = await sweepOf("edited", "main.sh", "echo hi\n");
    const run = async () => (await sweepRunNats(server.url, specPath, "SWEEP_EDIT")).err;
    await run();
    // A value put first: every point's index, hence its folder, moves.
    await writeFile(specPath, `base: {mainScript: main.sh}\nscripts: ./solver\nparameters:\n  x: [0, 1, 2, 3]\n`);
    const err = await run();
    expect(err).toMatch(/warning: the work queue SWEEP_EDIT still holds 3 request\(s\) for folders of this sweep that the spec no longer has: 0-[0-9a-f]+, 1-[0-9a-f]+, 2-[0-9a-f]+; was the spec edited/);
  });

  it("a worker runs each point in its own folder: sweep status sees them finished, and a second sweep run queues none", async () => {
    const { dir, specPath } = await sweepOf("worked", "main.py", 'import os\nprint("x is", os.environ["PHYSICSWORKS_PARAMS"])\n');
    const quiet = { out: new PassThrough(), err: new PassThrough() };
    expect(await sweepRunCommand(specPath, { scheduler: "nats", nats: server.url, stream: "SWEEP_W" }, new AbortController().signal, quiet)).toBe(0);

    const nc = await connect({ servers: server.url });
    const workRoot = join(dir, "worker-root");
    const worker = await startWorker({ nc, stream: "SWEEP_W", workRoot, name: "W", run: runSolver, runOptions: { pollIntervalMs: 50 } });
    try {
      await waitFor(async () => ((await readQueueStatus(nc, workQueueNames("SWEEP_W"), server.url, 300)).done >= 3 ? true : undefined), 60_000, "3 done runs");
    } finally {
      await worker.stop(0);
      await nc.close();
    }
    // Nothing was copied under the worker's root: each point ran in runs/<dir>/, where its log is.
    expect(await readdir(workRoot)).toEqual([]);
    const { points } = await loadSweep(specPath);
    for (const p of points) expect(await readFile(join(dir, "runs", p.dir, "outputs", "logs", "main.log"), "utf8")).toContain(`x is {"x":${p.parameters.x}}`);

    let table = "";
    const status = new PassThrough().on("data", (d: Buffer) => (table += d.toString()));
    expect(await sweepStatusCommand(specPath, {}, { out: status, err: new PassThrough() })).toBe(0);
    expect(table).toContain("3 finished, 0 failed, 0 pending of 3 points");

    let err = "";
    const again = { out: new PassThrough(), err: new PassThrough().on("data", (d: Buffer) => (err += d.toString())) };
    expect(await sweepRunCommand(specPath, { scheduler: "nats", nats: server.url, stream: "SWEEP_W" }, new AbortController().signal, again)).toBe(0);
    expect(err).toContain("3 of 3 points finished earlier, not queued");
  });
});
