import { connect, StringCodec } from "nats";
import { afterEach, describe, expect, it } from "vitest";
import { runSolver } from "../../src/index.js";
import { natsTestGate, startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { useTempWorks } from "../helpers/work-dir.js";

const gate = natsTestGate();
const { work } = useTempWorks();
const servers: NatsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

describe.skipIf(gate.skip)("the runner's events on NATS", () => {
  it("publishes run:started, run:progress and run:finished with the run's id when config names a NATS server", async () => {
    const nats = await startNatsServer();
    servers.push(nats);
    const nc = await connect({ servers: nats.url });
    const seen: { subject: string; data: { runId: string; progress?: number } }[] = [];
    const sc = StringCodec();
    // Event names hold no ".", so each is one token: listen to everything and keep the run's.
    const sub = nc.subscribe(">");
    const reading = (async () => {
      for await (const m of sub) if (m.subject.startsWith("run:")) seen.push({ subject: m.subject, data: JSON.parse(sc.decode(m.data)) as { runId: string } });
    })();
    const w = await work("state-steps.py", { nats: nats.url });
    const result = await runSolver({ configPath: w.configPath });
    expect(result.status).toBe("finished");
    await nc.flush();
    await new Promise((r) => setTimeout(r, 200));
    sub.unsubscribe();
    await reading;
    await nc.close();
    const subjects = seen.map((e) => e.subject);
    expect(subjects[0]).toBe("run:started");
    expect(subjects.at(-1)).toBe("run:finished");
    expect(subjects).toContain("run:progress");
    expect(new Set(seen.map((e) => e.data.runId))).toEqual(new Set([result.runId]));
  });

  it("a NATS that cannot be reached is a warning, not a failed run", async () => {
    const w = await work("hello.py", { nats: "nats://127.0.0.1:1" });
    const result = await runSolver({ configPath: w.configPath });
    expect(result.status).toBe("finished");
    expect(result.warnings.join("\n")).toMatch(/NATS|nats/);
  });
});
