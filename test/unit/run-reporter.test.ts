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
    expect(warnings).toEqual(["run status not sent yet (503 from the platform); it is sent again"]);
    expect(sent[0]?.children[0]?.children).toEqual([{ id: "log-1", name: "main", filename: "a.log" }]);
    await reporter.flush();
    expect(calls).toBe(2);
  });
});
