import { connect, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENTS_STREAM, startRunEventPublisher } from "../../src/events/index.js";
import type { RunResult } from "../../src/index.js";
import { natsTestGate, startNatsServer, type NatsServer } from "../helpers/nats-server.js";

const gate = natsTestGate();

function result(status: RunResult["status"], runId: string): RunResult {
  return {
    status,
    exitCode: status === "finished" ? 0 : 1,
    runId,
    workDir: "/work/run",
    startedAt: new Date().toISOString(),
    durationMs: 1234,
    progress: status === "finished" ? 100 : 55,
    label: status === "finished" ? "finished" : "solver",
    stages: [],
    results: [{ name: "t_max", type: "scalar", value: 1.5 }],
    outputs: [{ path: "state.txt", size: 10 } as RunResult["outputs"][number]],
    warnings: [],
    ...(status === "error" ? { error: { code: "solver", message: "the solver exited 3" } } : {}),
  };
}

describe.skipIf(gate.skip)("startRunEventPublisher (real nats-server -js)", () => {
  let server: NatsServer;
  let nc: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  /** Every event of one run, in stream order, as [subject, payload], read with an ordered consumer. */
  async function eventsOf(runId: string): Promise<[string, Record<string, unknown>][]> {
    const total = (await (await nc.jetstreamManager()).streams.info(EVENTS_STREAM)).state.messages;
    const consumer = await nc.jetstream().consumers.get(EVENTS_STREAM);
    const out: [string, Record<string, unknown>][] = [];
    for await (const m of await consumer.fetch({ max_messages: total, expires: 2000 })) {
      const data = m.json<Record<string, unknown>>();
      if (data.runId === runId) out.push([m.subject, data]);
    }
    return out;
  }

  it("publishes run:started, throttled run:progress with the last value kept, then run:finished", async () => {
    const warnings: string[] = [];
    const events = await startRunEventPublisher({ url: server.url, runId: "run-a", workDir: "/work/run", throttleMs: 200, job: "j1", onWarning: (w) => warnings.push(w) });
    expect(events.warning).toBeUndefined();
    for (let p = 0; p <= 100; p += 2) {
      events.progress(p, `step ${p}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    await events.finish(result("finished", "run-a"));
    await events.close();
    const seen = await eventsOf("run-a");
    const subjects = seen.map(([s]) => s);
    expect(subjects[0]).toBe("run:started");
    expect(subjects.at(-1)).toBe("run:finished");
    const progress = seen.filter(([s]) => s === "run:progress").map(([, d]) => d.progress as number);
    // ~600 ms of updates every 10 ms at one per 200 ms: a handful, not 51; the last one (100) is never dropped.
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.length).toBeLessThanOrEqual(8);
    expect(progress.at(-1)).toBe(100);
    expect(seen[0]?.[1]).toMatchObject({ runId: "run-a", workDir: "/work/run", job: "j1" });
    expect(seen.at(-1)?.[1]).toMatchObject({ runId: "run-a", progress: 100, durationMs: 1234, outputCount: 1, results: [{ name: "t_max", type: "scalar", value: 1.5 }] });
    expect(warnings).toEqual([]);
  });

  it("publishes run:failed with the error and exit code for a run that ended in error", async () => {
    const events = await startRunEventPublisher({ url: server.url, runId: "run-b", workDir: "/work/run" });
    events.progress(55, "solver");
    await events.finish(result("error", "run-b"));
    await events.close();
    const seen = await eventsOf("run-b");
    expect(seen.map(([s]) => s)).toEqual(["run:started", "run:progress", "run:failed"]);
    expect(seen[2]?.[1]).toMatchObject({ exitCode: 1, error: { code: "solver", message: "the solver exited 3" }, progress: 55 });
  });
});

describe("startRunEventPublisher without a reachable NATS", () => {
  it("does not fail: a publisher that does nothing, and a warning that says why", async () => {
    // A port nothing listens on (the kernel refuses at once).
    const started = Date.now();
    const events = await startRunEventPublisher({ url: "nats://127.0.0.1:1", runId: "run-c", workDir: "/w", connectTimeoutMs: 2000 });
    expect(Date.now() - started).toBeLessThan(2500);
    expect(events.warning).toMatch(/^run events are not published: NATS at nats:\/\/127\.0\.0\.1:1: connection refused/);
    events.progress(50, "x");
    await events.finish(result("finished", "run-c"));
    await events.close();
  });
});
