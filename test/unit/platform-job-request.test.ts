import { describe, expect, it } from "vitest";
import { checkJobRequest, MAX_POINTS } from "../../src/local-platform/exec/job-request.js";
import { patchFromRunNode } from "../../src/local-platform/exec/run-node-patch.js";
import type { SolverType } from "../../src/local-platform/platform-deps.js";
import type { Job } from "../../src/local-platform/platform-types.js";

const heat1d: SolverType = { name: "heat1d", dir: "/x/heat1d", config: { mainScript: "main.py" }, description: "" };
const solvers = new Map([["heat1d", heat1d]]);

describe("checkJobRequest", () => {
  it("takes one job or a sweep of points over fixed parameters", () => {
    expect(checkJobRequest({ solver: "heat1d", parameters: { alpha: 1 } }, solvers)).toMatchObject({ points: [{ alpha: 1 }], isSweep: false, config: {} });
    const sweep = checkJobRequest({ solver: "heat1d", parameters: { n: 5 }, sweep: { parameters: { alpha: [1, 2], beta: { from: 0, to: 1, num: 3 } } } }, solvers);
    expect(sweep.isSweep).toBe(true);
    expect(sweep.points).toHaveLength(6);
    expect(sweep.points[0]).toEqual({ n: 5, alpha: 1, beta: 0 });
    expect(checkJobRequest({ solver: "heat1d", sweep: { parameters: { a: [1, 2], b: [3, 4] }, combine: "zip" } }, solvers).points).toEqual([{ a: 1, b: 3 }, { a: 2, b: 4 }]);
  });

  it("answers 400 naming the field, the value and the fix", () => {
    const fails = (body: unknown, message: RegExp) => expect(() => checkJobRequest(body, solvers)).toThrow(message);
    fails([], /the body must be an object/);
    fails({ solver: "nope" }, /"solver": no solver type "nope" \(known: heat1d\)/);
    fails({ solver: "heat1d", colour: 1 }, /unknown field "colour"/);
    fails({ solver: "heat1d", parameters: { "bad name": 1 } }, /"parameters.bad name" is not a usable parameter name/);
    fails({ solver: "heat1d", parameters: { a: [1] } }, /"parameters.a" must be a number, a string or true\/false/);
    fails({ solver: "heat1d", config: { host: "http://elsewhere/" } }, /"config.host" is set by the platform/);
    // A registered user must not choose what runs on the server.
    fails({ solver: "heat1d", config: { command: ["bash", "-c", "id"] } }, /"config.command" cannot be set by a job \(a job may set timeout and grace\)/);
    fails({ solver: "heat1d", config: { env: { LD_PRELOAD: "/tmp/x.so" } } }, /"config.env" cannot be set by a job/);
    fails({ solver: "heat1d", config: { scriptsArchive: "/etc/passwd" } }, /"config.scriptsArchive" cannot be set by a job/);
    fails({ solver: "heat1d", config: { timeout: [1] } }, /"config.timeout" must be a duration/);
    // Read as the runner reads them: refused now, not once the job runs.
    fails({ solver: "heat1d", config: { timeout: "soon" } }, /"config.timeout" must be a duration such as "30s", "10m", "1h30m" or a number of seconds \(got "soon"\)/);
    fails({ solver: "heat1d", config: { timeout: 0 } }, /"config.timeout" must be longer than 0/);
    fails({ solver: "heat1d", config: { grace: "30d" } }, /"config.grace" must be at most 24 days/);
    expect(checkJobRequest({ solver: "heat1d", config: { timeout: "10m", grace: 5 } }, solvers).config).toEqual({ timeout: "10m", grace: 5 });
    fails({ solver: "heat1d", sweep: { parameters: { a: [] } } }, /"sweep.parameters.a" is an empty list/);
    fails({ solver: "heat1d", sweep: { parameters: { a: [1] }, combine: "cross" } }, /"sweep.combine" must be "product" or "zip"/);
    fails({ solver: "heat1d", sweep: { parameters: { a: { from: 0, to: MAX_POINTS * 10, step: 1 } } } }, /at most 1000/);
    try {
      checkJobRequest({ solver: "nope" }, solvers);
    } catch (error) {
      expect((error as { status?: number }).status).toBe(400);
    }
  });
});

describe("patchFromRunNode", () => {
  const job = { status: "queued", progress: 0, statusLabel: null, runId: null, startedAt: null } as unknown as Job;
  it("moves a job with its run node: run id, progress clamped, label, running", () => {
    expect(patchFromRunNode(job, "r1", { id: "r1", name: "Run 1", status: "running", progress: 140, statusLabel: "step 3", children: [] }, { finalFromNode: false })).toMatchObject({
      runId: "r1",
      progress: 100,
      statusLabel: "step 3",
      status: "running",
    });
  });
  it("takes the final status from the node only when asked (NATS jobs)", () => {
    const node = { id: "r1", name: "Run 1", status: "error" as const, progress: 50, statusLabel: "solver exited 1", children: [] };
    expect(patchFromRunNode(job, "r1", node, { finalFromNode: false })?.status).toBeUndefined();
    expect(patchFromRunNode(job, "r1", node, { finalFromNode: true })).toMatchObject({ status: "error", error: "solver exited 1" });
  });
});
