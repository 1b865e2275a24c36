/**
 * `GET api/v1/jobs/{id}/outputs?path=`: a heat1d job's stored outputs through the real HTTP API. Only a
 * path that is exactly one of the job's stored outputs is served, to its owner.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Job } from "../../src/local-platform/platform-types.js";
import { waitFor } from "../helpers/pids.js";
import { api, registerUser, startTestPlatform, type TestPlatform } from "../helpers/platform.js";

let p: TestPlatform;
let ada: string;
let bob: string;
let job: Job;

const outputs = (id: string, query: string, token: string) => api(p, "GET", `api/v1/jobs/${id}/outputs${query}`, { token });
const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;

beforeAll(async () => {
  p = await startTestPlatform();
  ada = (await registerUser(p, "ada")).token;
  bob = (await registerUser(p, "bob")).token;
  const res = await api(p, "POST", "api/v1/jobs", { token: ada, json: { solver: "heat1d", parameters: { slow: 0 } } });
  expect(res.status, await res.clone().text()).toBe(201);
  const id = ((await res.json()) as { jobs: Job[] }).jobs[0]?.id as string;
  job = await waitFor(
    async () => {
      const seen = (await (await api(p, "GET", `api/v1/jobs/${id}`, { token: ada })).json()) as Job;
      return ["finished", "error", "cancelled"].includes(seen.status) ? seen : undefined;
    },
    90_000,
    `job ${id} to end`,
  );
  expect(job.status).toBe("finished");
}, 120_000);

afterAll(() => p?.cleanup());

describe("local platform: a job's outputs", () => {
  it("serves a plot CSV byte for byte as the job wrote it, as text/csv, shown inline", async () => {
    const res = await outputs(job.id, `?path=${encodeURIComponent("plots/temperature.csv")}`, ada);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBeNull();
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const written = await readFile(path.join(p.dataDir, "jobs", job.id, "outputs", "plots", "temperature.csv"));
    expect(written.length).toBeGreaterThan(0);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(written);
    expect(res.headers.get("content-length")).toBe(String(written.length));
  });

  it("serves a log as text/plain, result.zip and report.html as downloads", async () => {
    const log = await outputs(job.id, "?path=logs/main.log", ada);
    expect(log.status).toBe(200);
    expect(log.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await log.text()).toMatch(/heat1d:/);

    const zip = await outputs(job.id, "?path=result.zip", ada);
    expect(zip.status).toBe(200);
    expect(zip.headers.get("content-type")).toBe("application/zip");
    expect(zip.headers.get("content-disposition")).toBe('attachment; filename="result.zip"');
    expect(Buffer.from(await zip.arrayBuffer()).subarray(0, 2).toString()).toBe("PK");

    const report = await outputs(job.id, "?path=report.html", ada);
    expect(report.status).toBe(200);
    expect(report.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(report.headers.get("content-disposition")).toBe('attachment; filename="report.html"');
    await report.arrayBuffer();
  });

  it("another user gets 404 for the job, as if it did not exist", async () => {
    const res = await outputs(job.id, "?path=plots/temperature.csv", bob);
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toBe(`no job "${job.id}"`);
    expect((await api(p, "GET", `api/v1/jobs/${job.id}/outputs?path=plots/temperature.csv`)).status).toBe(401);
  });

  it("a path that is not one of the job's stored outputs is a 404 naming it", async () => {
    for (const name of ["../config.json", "config.json", "plots/nope.csv", "/plots/temperature.csv", "plots//temperature.csv", "plots/../plots/temperature.csv", "../../platform-secret"]) {
      const res = await outputs(job.id, `?path=${encodeURIComponent(name)}`, ada);
      expect(res.status, name).toBe(404);
      expect(await errorOf(res), name).toBe(`job "${job.id}" has no output ${JSON.stringify(name)}: GET api/v1/jobs/${job.id} lists its files`);
    }
  });

  it("a missing or empty ?path is a 400 saying what to give", async () => {
    for (const query of ["", "?path=", "?name=plots/temperature.csv"]) {
      const res = await outputs(job.id, query, ada);
      expect(res.status, query).toBe(400);
      expect(await errorOf(res), query).toMatch(/^outputs: \?path is required/);
    }
  });
});
