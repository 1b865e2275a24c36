import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { callServer, startTestServer, type TestServer } from "../helpers/server.js";

let t: TestServer;
afterEach(async () => {
  await t.cleanup();
});

type Outcome = { status: number; retryAfter: string | null } | "dropped";

async function outcome(method: string, route: string, json?: unknown): Promise<Outcome> {
  try {
    const res = await callServer(t, method, route, json === undefined ? {} : { json });
    await res.arrayBuffer();
    return { status: res.status, retryAfter: res.headers.get("retry-after") };
  } catch {
    return "dropped";
  }
}

describe("fault injection", () => {
  it("with faultRate 1 answers only 503, 429 with Retry-After, or a dropped connection, and nothing takes effect", async () => {
    t = await startTestServer({ faultRate: 1, retryAfterSeconds: 0 });
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const result = await outcome("PUT", "simulation/run/update/s1", {});
      if (result === "dropped") {
        seen.add("drop");
        continue;
      }
      expect([503, 429]).toContain(result.status);
      if (result.status === 429) expect(result.retryAfter).toBe("0");
      seen.add(String(result.status));
    }
    expect([...seen].sort()).toEqual(["429", "503", "drop"]);
    // No run was created by any of them.
    await expect(readdir(path.join(t.dataDir, "runs"))).rejects.toThrow();
    // The reading calls are never faulted.
    expect((await outcome("GET", "health")) as object).toMatchObject({ status: 200 });
    expect((await outcome("GET", "runs")) as object).toMatchObject({ status: 200 });

    await t.server.close();
    const lines = (await readFile(path.join(t.dataDir, "requests.jsonl"), "utf8")).trim().split("\n").map((line) => JSON.parse(line));
    const faulted = lines.filter((line) => line.fault);
    expect(faulted).toHaveLength(40);
    expect(new Set(faulted.map((line) => line.fault))).toEqual(new Set(["503", "429", "drop"]));
    expect(faulted.filter((line) => line.fault === "drop").every((line) => line.status === 0)).toBe(true);
  });

  it("uses the given random source: faults are reproducible", async () => {
    const values = [0.1, 0.9]; // a fault (0.1 < 0.5), of the third kind: a drop
    let next = 0;
    t = await startTestServer({ faultRate: 0.5, random: () => values[next++ % values.length]! });
    expect(await outcome("GET", "runner/capabilities")).toBe("dropped");
  });

  it("with faultRate 0 injects nothing", async () => {
    t = await startTestServer({ faultRate: 0, latencyMs: 5 });
    for (let i = 0; i < 40; i++) {
      expect(await outcome("GET", "runner/capabilities")).toMatchObject({ status: 200 });
    }
  });
});
