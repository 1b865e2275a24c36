import { copyFile, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { connect, JSONCodec, type NatsConnection } from "nats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readQueueStatus, startWorker, workQueueNames, type DoneRecord, type Worker } from "../../src/events/index.js";
import { runSolver } from "../../src/index.js";
import { takeWorkDirLock, type WorkDirLock } from "../../src/work-lock/work-dir-lock.js";
import { readDoneRecords } from "../helpers/done-records.js";
import { waitFor } from "../helpers/pids.js";
import { natsTestGate, startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { FIXTURE_SOLVERS, useTempWorks } from "../helpers/work-dir.js";

const gate = natsTestGate();
const { tempDir } = useTempWorks();

/** A folder laid out as `sweep run` leaves a point: config.json (workDir ".") beside scripts/hello.py. */
async function pointFolder(root: string): Promise<string> {
  const dir = join(root, "point");
  await mkdir(join(dir, "scripts"), { recursive: true });
  await copyFile(join(FIXTURE_SOLVERS, "hello.py"), join(dir, "scripts/hello.py"));
  await writeFile(join(dir, "config.json"), JSON.stringify({ workDir: ".", mainScript: "hello.py" }));
  return dir;
}

/** The lock another runner holds: this test process, alive on this host, as a worker cut off from NATS would be. */
async function holdLock(dir: string): Promise<WorkDirLock> {
  await mkdir(join(dir, "debug"), { recursive: true });
  return takeWorkDirLock(dir, { command: "run" });
}

describe.skipIf(gate.skip)("worker: a run whose work directory another runner holds (real nats-server -js)", () => {
  let server: NatsServer;
  const connections: NatsConnection[] = [];
  const workers: Worker[] = [];
  const locks: WorkDirLock[] = [];

  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterEach(async () => {
    await Promise.all(locks.splice(0).map((l) => l.release()));
    await Promise.all(workers.splice(0).map((w) => w.stop(0)));
    await Promise.all(connections.splice(0).map((nc) => nc.close()));
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function nats(): Promise<NatsConnection> {
    const nc = await connect({ servers: server.url });
    connections.push(nc);
    return nc;
  }

  async function worker(stream: string, workRoot: string, logs: string[]): Promise<Worker> {
    // maxAttempts 2: more busy deliveries than that must not give the run up.
    const w = await startWorker({ nc: await nats(), stream, workRoot, name: "W", maxAttempts: 2, busyDelayMs: 150, run: runSolver, runOptions: { pollIntervalMs: 50 }, log: (l) => logs.push(l) });
    workers.push(w);
    return w;
  }

  const doneRecords = async (stream: string): Promise<DoneRecord[]> => readDoneRecords(await nats(), stream);

  const busyLines = (logs: string[], id: string) => logs.filter((l) => l.startsWith(`run ${id}: the work directory `) && l.endsWith("; back to the queue in 150 ms"));

  it("an in-place run (a sweep's point) goes back to the queue while the folder is held, is neither failed nor done, and runs once it is free", async () => {
    const root = await tempDir("pw-busy-");
    const dir = await pointFolder(root);
    const logs: string[] = [];
    const w = await worker("BUSY", join(root, "runs"), logs);
    const lock = await holdLock(dir);
    locks.push(lock);
    await (await nats()).jetstream().publish("BUSY.runs", JSONCodec().encode({ id: "point-1", configPath: join(dir, "config.json"), inPlace: true }));

    await waitFor(() => (busyLines(logs, "point-1").length >= 4 ? true : undefined), 20_000, `busy deliveries:\n${logs.join("\n")}`);
    expect(busyLines(logs, "point-1")[0]).toContain(`is in use by a run of physicsworks-solve`);
    expect(busyLines(logs, "point-1")[0]).toContain(`pid ${process.pid} on this host`);
    expect(await readQueueStatus(await nats(), workQueueNames("BUSY"), server.url, 300)).toMatchObject({ done: 0, error: 0 });
    // The holder's folder is as it was: the worker wrote nothing there.
    expect((await readdir(dir)).sort()).toEqual(["config.json", "debug", "scripts"]);

    await lock.release();
    await waitFor(async () => ((await doneRecords("BUSY")).length >= 1 ? true : undefined), 20_000, `the run to be done:\n${logs.join("\n")}`);
    const summary = await w.stop(0);
    expect(summary).toMatchObject({ finished: 1, error: 0, retried: 0, refused: 0, returned: 0 });
    expect(summary.busy).toBeGreaterThanOrEqual(4);
    const records = await doneRecords("BUSY");
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ id: "point-1", status: "finished", exitCode: 0 });
    expect(records[0]?.delivery).toBeGreaterThan(4);
    expect(JSON.parse(await readFile(join(dir, "debug/run.json"), "utf8"))).toMatchObject({ status: "finished" });
    // The busy deliveries were counted apart from the attempts, and the count went with the request.
    const counts = await (await nats()).jetstream().views.kv(workQueueNames("BUSY").busyBucket);
    expect((await counts.get("point-1"))?.operation).toBe("DEL");
  });

  it("a copied run whose <workRoot>/<id> a runner still holds is not moved aside until it is free", async () => {
    const root = await tempDir("pw-busy-copy-");
    const source = await pointFolder(root);
    const workRoot = join(root, "runs");
    const logs: string[] = [];
    const w = await worker("BUSYCOPY", workRoot, logs);
    const lock = await holdLock(join(workRoot, "copy-1"));
    locks.push(lock);
    await (await nats()).jetstream().publish("BUSYCOPY.runs", JSONCodec().encode({ id: "copy-1", config: { mainScript: "hello.py" }, sourceDir: source }));

    await waitFor(() => (busyLines(logs, "copy-1").length >= 3 ? true : undefined), 20_000, `busy deliveries:\n${logs.join("\n")}`);
    expect(await readdir(workRoot)).toEqual(["copy-1"]);
    expect(await readdir(join(workRoot, "copy-1"))).toEqual(["debug"]);

    await lock.release();
    await waitFor(async () => ((await doneRecords("BUSYCOPY")).length >= 1 ? true : undefined), 20_000, `the run to be done:\n${logs.join("\n")}`);
    expect((await w.stop(0)).finished).toBe(1);
    expect((await doneRecords("BUSYCOPY"))[0]).toMatchObject({ id: "copy-1", status: "finished" });
    // Once free, the earlier folder is kept aside as for any earlier attempt.
    expect((await readdir(workRoot)).sort()).toEqual(["copy-1", "copy-1.attempt-1"]);
  });
});
