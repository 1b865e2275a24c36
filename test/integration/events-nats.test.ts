import { connect, type JsMsg, type NatsConnection } from "nats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  EVENT_SUBJECTS,
  EVENTS_STREAM,
  EventsClient,
  InvalidEventError,
  Listener,
  Publisher,
  type EventData,
  type EventMap,
  type EventSubject,
} from "../../src/events/index.js";
import { waitFor } from "../helpers/pids.js";
import { natsTestGate, startNatsServer, type NatsServer } from "../helpers/nats-server.js";

const at = "2026-11-23T12:00:00.000Z";
/** One valid payload per subject. */
const SAMPLES: EventMap = {
  "geometry:uploaded": { geometryId: "g1", project: "p1", owner: "o1", name: "bracket.step", fileId: "f1", size: 1234, uploadedAt: at },
  "geometry:parsed": { geometryId: "g1", project: "p1", fileId: "f2", parts: ["body", "lid"], bBox: [0, 0, 0, 1, 2, 3], parsedAt: at },
  "geometry:removed": { geometryId: "g1", project: "p1", removedAt: at },
  "mesh:generated": { meshId: "m1", project: "p1", simulation: "s1", geometryId: "g1", rawMeshFile: "f3", nodes: 10, elements: 20, generatedAt: at },
  "mesh:deleted": { meshId: "m1", project: "p1", simulation: "s1", deletedAt: at },
  "run:started": { runId: "r1", workDir: "/w", hostname: "node1", job: "j1", startedAt: at },
  "run:progress": { runId: "r1", progress: 42.5, label: "solving, step 3", at },
  "run:finished": {
    runId: "r1",
    workDir: "/w",
    progress: 100,
    label: "finished",
    durationMs: 1500,
    results: [
      { name: "t_max", type: "scalar", value: 100 },
      { name: "ok", type: "boolean", value: true },
      { name: "note", type: "ascii", value: "a, b" },
    ],
    outputCount: 3,
    finishedAt: at,
  },
  "run:failed": { runId: "r1", workDir: "/w", progress: 37, label: "solver", durationMs: 900, exitCode: 1, error: { code: "solver", message: "exit 2" }, finishedAt: at },
};

/** A listener of any subject that records what it was given; `fail` makes its handler throw. */
class Recorder<S extends EventSubject> extends Listener<S> {
  readonly received: EventData<S>[] = [];
  readonly deliveries: number[] = [];
  fail = false;
  constructor(
    client: EventsClient,
    readonly subject: S,
    readonly queueGroupName: string,
    options: ConstructorParameters<typeof Listener>[1] = {},
  ) {
    super(client, options);
  }
  onMessage(data: EventData<S>, msg: JsMsg): void {
    this.deliveries.push(msg.info.redeliveryCount);
    if (this.fail) throw new Error("database is down");
    this.received.push(data);
  }
}

class AnyPublisher<S extends EventSubject> extends Publisher<S> {
  constructor(
    client: EventsClient,
    readonly subject: S,
  ) {
    super(client);
  }
}

const gate = natsTestGate();

describe.skipIf(gate.skip)("NATS events (real nats-server -js)", () => {
  let server: NatsServer;
  let client: EventsClient;
  let raw: NatsConnection;
  const logs: string[] = [];
  const listeners: Listener<EventSubject>[] = [];

  beforeAll(async () => {
    server = await startNatsServer();
    client = await EventsClient.connect({ url: server.url, log: (line) => logs.push(line) });
    raw = await connect({ servers: server.url });
  });
  afterEach(async () => {
    await Promise.all(listeners.splice(0).map((l) => l.close()));
    // Listeners deliver all: a new group would also get what earlier tests published.
    await client.jsm.streams.purge(EVENTS_STREAM);
    logs.length = 0;
  });
  afterAll(async () => {
    await client?.close();
    await raw?.close();
    await server?.stop();
  });

  function listen<S extends EventSubject>(subject: S, group: string, options: ConstructorParameters<typeof Listener>[1] = {}): Recorder<S> {
    const l = new Recorder(client, subject, group, options);
    listeners.push(l as unknown as Listener<EventSubject>);
    return l;
  }

  async function consumerInfo(group: string) {
    return (await client.jsm.consumers.info(EVENTS_STREAM, group));
  }

  it("creates the events stream over every subject, named as the protocol names them", async () => {
    const info = await client.jsm.streams.info(EVENTS_STREAM);
    expect([...info.config.subjects].sort()).toEqual([...EVENT_SUBJECTS].sort());
  });

  it.each(EVENT_SUBJECTS)("round trip: %s from a Publisher to a Listener, typed and checked", async (subject) => {
    const listener = listen(subject, `rt-${subject.replace(":", "-")}`);
    await listener.listen();
    const ack = await new AnyPublisher(client, subject).publish(SAMPLES[subject] as never);
    expect(ack.stream).toBe(EVENTS_STREAM);
    await waitFor(() => listener.received.length > 0 || undefined, 5000, `${subject} to arrive`);
    expect(listener.received).toEqual([SAMPLES[subject]]);
    await waitFor(async () => ((await consumerInfo(listener.queueGroupName)).num_ack_pending === 0 ? true : undefined), 5000, "the ack");
  });

  it("refuses an invalid payload at publish time, naming the field, and sends nothing", async () => {
    const before = (await client.jsm.streams.info(EVENTS_STREAM)).state.last_seq;
    const bad = { ...SAMPLES["run:progress"], progress: 140 };
    const error = await client.publish("run:progress", bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as InvalidEventError).problems).toEqual(['"progress" must be a number from 0 to 100 (got 140)']);
    expect((await client.jsm.streams.info(EVENTS_STREAM)).state.last_seq).toBe(before);
    if (Math.random() > 2) {
      // Compile-time checks (never run): the payload must be the subject's type.
      // @ts-expect-error run:progress has no "meshId"
      await client.publish("run:progress", { meshId: "m1" });
      // @ts-expect-error a geometry payload is not a run:started payload
      await client.publish("run:started", SAMPLES["geometry:uploaded"]);
    }
  });

  it("gives each message of a queue group to one member; the group resumes where it stopped", async () => {
    const a = listen("mesh:deleted", "mesh-cleaner");
    const b = listen("mesh:deleted", "mesh-cleaner");
    await Promise.all([a.listen(), b.listen()]);
    const publisher = new AnyPublisher(client, "mesh:deleted");
    for (let i = 0; i < 20; i++) await publisher.publish({ ...SAMPLES["mesh:deleted"], meshId: `m${i}` });
    await waitFor(() => (a.received.length + b.received.length >= 20 ? true : undefined), 10_000, "20 messages");
    const ids = [...a.received, ...b.received].map((d) => d.meshId).sort();
    expect(ids).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`).sort());
    await a.close();
    await b.close();
    // Published while nobody listens: the durable group gets it when a member comes back, and only it.
    await publisher.publish({ ...SAMPLES["mesh:deleted"], meshId: "late" });
    const c = listen("mesh:deleted", "mesh-cleaner");
    await c.listen();
    await waitFor(() => c.received.length || undefined, 5000, "the late message");
    await new Promise((r) => setTimeout(r, 300));
    expect(c.received.map((d) => d.meshId)).toEqual(["late"]);
  });

  it("terminates a message that fails validation: logged with the reason, never redelivered", async () => {
    const terminated: string[] = [];
    const advisories = raw.subscribe(`$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.${EVENTS_STREAM}.progress-bad`);
    void (async () => {
      for await (const m of advisories) terminated.push(m.string());
    })();
    const listener = listen("run:progress", "progress-bad", { ackWaitMs: 1000 });
    await listener.listen();
    // Sent around the typed client, as a service without the checks would.
    const js = raw.jetstream();
    await js.publish("run:progress", new TextEncoder().encode(JSON.stringify({ runId: "", progress: 140, label: "x", at })));
    await js.publish("run:progress", new TextEncoder().encode("{not json"));
    await js.publish("run:progress", new TextEncoder().encode(JSON.stringify(SAMPLES["run:progress"])));
    await waitFor(() => (terminated.length >= 2 ? true : undefined), 5000, "two MSG_TERMINATED advisories");
    await waitFor(() => listener.received.length || undefined, 5000, "the valid message");
    // Three ack waits: a message that was not terminated would have come back by now.
    await new Promise((r) => setTimeout(r, 3000));
    advisories.unsubscribe();
    expect(listener.deliveries).toEqual([1]);
    expect(listener.received).toEqual([SAMPLES["run:progress"]]);
    const info = await consumerInfo("progress-bad");
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_redelivered).toBe(0);
    expect(terminated).toHaveLength(2);
    expect(logs.join("\n")).toContain('"runId" must be a non-empty string');
    expect(logs.join("\n")).toContain('"progress" must be a number from 0 to 100 (got 140)');
    expect(logs.join("\n")).toMatch(/not JSON/);
    expect(logs.join("\n")).toContain("terminated, it will not be redelivered");
  });

  it("naks a failing handler with a delay, retries it up to maxDeliveries, then terminates it", async () => {
    const listener = listen("geometry:removed", "remover", { ackWaitMs: 5000, maxDeliveries: 3, retryDelayMs: 100 });
    listener.fail = true;
    await listener.listen();
    await client.publish("geometry:removed", SAMPLES["geometry:removed"]);
    await waitFor(() => (listener.deliveries.length >= 3 ? true : undefined), 5000, "three deliveries");
    await new Promise((r) => setTimeout(r, 1000));
    expect(listener.deliveries).toEqual([1, 2, 3]);
    const info = await consumerInfo("remover");
    expect(info.num_ack_pending).toBe(0);
    const log = logs.join("\n");
    expect(log).toContain("failed on delivery 1 of 3 (database is down); retry in 100 ms");
    expect(log).toContain("failed on delivery 2 of 3 (database is down); retry in 200 ms");
    expect(log).toContain("failed on delivery 3 of 3 (database is down); message terminated");
  });

  it("refuses a queue group name that cannot name a durable consumer", async () => {
    const listener = listen("run:started", "bad.name");
    await expect(listener.listen()).rejects.toThrow(/queueGroupName "bad.name" must be/);
  });
});
