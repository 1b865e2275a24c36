import { describe, expect, it } from "vitest";
import { RunReporter } from "../../src/platform/run-reporter.js";
import type { RunNode } from "../../src/platform/types.js";

const node = (): RunNode => ({ id: "run-1", name: "run", children: [{ slug: "logs", children: [] }] }) as RunNode;

describe("RunReporter", () => {
  it("sends a failed update again after the interval, without waiting for the next change", async () => {
    const sent: RunNode[] = [];
    let calls = 0;
    const warnings: string[] = [];
    const reporter = new RunReporter({
      client: {
        updateRun: async (_simulation, _runId, body) => {
          calls += 1;
          if (calls === 1) throw new Error("503 from the platform");
          sent.push(body.node);
        },
      },
      simulation: "sim1",
      node: node(),
      intervalMs: 30,
      warn: (m) => warnings.push(m),
    });
    reporter.addEntry("logs", { id: "log-1", name: "main", filename: "a.log" });
    const deadline = Date.now() + 2000;
    while (sent.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(calls).toBe(2);
    expect(warnings).toEqual(["run status not sent yet (503 from the platform); it is sent again until the platform takes it"]);
    expect(sent[0]?.children[0]?.children).toEqual([{ id: "log-1", name: "main", filename: "a.log" }]);
    await reporter.flush();
    expect(calls).toBe(2);
  });

  it("warns once per outage, however many sends fail in it, and again for the next outage", async () => {
    let failing = true;
    let calls = 0;
    const warnings: string[] = [];
    const reporter = new RunReporter({
      client: {
        updateRun: async () => {
          calls += 1;
          if (failing) throw new Error("platform down");
        },
      },
      simulation: "sim1",
      node: node(),
      intervalMs: 5,
      warn: (m) => warnings.push(m),
    });
    reporter.status("running", 10, "step 1");
    const until = async (check: () => boolean) => {
      const deadline = Date.now() + 2000;
      while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    };
    await until(() => calls >= 6);
    expect(warnings).toHaveLength(1);
    failing = false;
    const before = calls;
    await until(() => calls > before);
    await reporter.flush();
    failing = true;
    reporter.status("running", 20, "step 2");
    const again = calls;
    await until(() => calls >= again + 3);
    expect(warnings).toHaveLength(2);
    failing = false;
    await reporter.flush();
  });
});
