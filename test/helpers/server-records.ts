import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import { callServer, type TestServer } from "./server.js";

/** GET runs/{id} of the reference server: the run node, its updates and stored files. */
export async function runRecord<T>(s: TestServer, runId: string): Promise<T> {
  const answer = await callServer(s, "GET", `runs/${runId}`);
  expect(answer.status).toBe(200);
  return (await answer.json()) as T;
}

/** How many requests of this method, to paths beginning with `prefix`, the server answered with 2xx (DATA/requests.jsonl). */
export async function requestCount(s: TestServer, method: string, prefix: string): Promise<number> {
  const lines = (await readFile(join(s.dataDir, "requests.jsonl"), "utf8")).split("\n").filter(Boolean);
  return lines
    .map((l) => JSON.parse(l) as { method: string; path: string; status: number })
    .filter((r) => r.method === method && r.path.startsWith(`/${prefix}`) && r.status >= 200 && r.status < 300).length;
}
