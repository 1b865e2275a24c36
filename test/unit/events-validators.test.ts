import { describe, expect, it } from "vitest";
import { EVENT_SUBJECTS, EVENT_VALIDATORS, validateEvent, validateRunRequest } from "../../src/events/index.js";

const at = "2026-11-23T12:00:00.000Z";

describe("event validators", () => {
  it("has one validator per subject of protocol.md part 5", () => {
    expect(Object.keys(EVENT_VALIDATORS).sort()).toEqual([...EVENT_SUBJECTS].sort());
  });

  it("returns the typed data, without absent optional fields and without unknown ones", () => {
    const checked = validateEvent("mesh:generated", { meshId: "m1", project: "p", simulation: "s", rawMeshFile: "f", generatedAt: at, extra: 1 });
    expect(checked).toEqual({ ok: true, data: { meshId: "m1", project: "p", simulation: "s", rawMeshFile: "f", generatedAt: at } });
  });

  it("lists every problem, each naming its field", () => {
    const checked = validateEvent("geometry:uploaded", { geometryId: 7, project: "", owner: "o", name: "a.step", size: -1, uploadedAt: "yesterday" });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.problems).toEqual([
      '"geometryId" must be a non-empty string (got 7)',
      '"project" must be a non-empty string (got "")',
      '"fileId" is missing; it must be a non-empty string',
      '"size" must be a whole number ≥ 0 (got -1)',
      '"uploadedAt" must be an ISO 8601 time such as "2026-01-31T12:00:00.000Z" (got "yesterday")',
    ]);
  });

  it("names fields inside lists and objects", () => {
    const finished = validateEvent("run:finished", {
      runId: "r",
      workDir: "/w",
      progress: 100,
      label: "",
      durationMs: 5,
      results: [{ name: "a", type: "scalar", value: "1.5" }, { name: "b", type: "vector", value: 1 }],
      outputCount: 1.5,
      finishedAt: at,
    });
    expect(finished.ok ? [] : finished.problems).toEqual([
      '"results[0].value" must be a number (the result\'s type is "scalar") (got "1.5")',
      '"results[1].type" must be one of "scalar", "boolean", "ascii" (got "vector")',
      '"outputCount" must be a whole number ≥ 0 (got 1.5)',
    ]);
    const failed = validateEvent("run:failed", { runId: "r", workDir: "/w", progress: 1, label: "", durationMs: 0, exitCode: 1, error: { code: "x" }, finishedAt: at });
    expect(failed.ok ? [] : failed.problems).toEqual(['"error.message" is missing; it must be a string']);
  });

  it("refuses what is not an object", () => {
    expect(validateEvent("run:progress", [1])).toEqual({ ok: false, problems: ["the payload must be a JSON object (got a list)"] });
    expect(validateEvent("run:progress", null)).toEqual({ ok: false, problems: ["the payload must be a JSON object (got null)"] });
  });

  it("keeps a bounding box only as six numbers", () => {
    const bad = validateEvent("geometry:parsed", { geometryId: "g", project: "p", fileId: "f", parts: [], bBox: [0, 1], parsedAt: at });
    expect(bad.ok ? [] : bad.problems).toEqual(['"bBox" must be a list of 6 numbers (got [0,1])']);
  });
});

describe("run request validator", () => {
  it("takes {id, config} or {id, configPath}", () => {
    expect(validateRunRequest({ id: "run-1", config: { mainScript: "main.py" }, sourceDir: "/shared/case" }).ok).toBe(true);
    expect(validateRunRequest({ id: "run_2", configPath: "/shared/case/config.json" }).ok).toBe(true);
  });

  it("refuses both, neither, a relative path and an id that would leave the work root", () => {
    const problems = (v: unknown) => {
      const r = validateRunRequest(v);
      return r.ok ? [] : r.problems;
    };
    expect(problems({ id: "a", config: {}, configPath: "/c.json" })).toEqual([
      'a run request needs exactly one of "config" (the fields) and "configPath" (a path every worker can read)',
    ]);
    expect(problems({ id: "a" })).toHaveLength(1);
    expect(problems({ id: "a", configPath: "c.json" })).toEqual(['"configPath" must be an absolute path to a config file (got "c.json")']);
    expect(problems({ id: "../etc", config: {} })[0]).toMatch(/^"id" must be letters, digits/);
    expect(problems({ id: "a.attempt-1", config: {} })[0]).toMatch(/^"id" must be letters, digits/);
  });

  it("takes inPlace with a configPath only", () => {
    const inPlace = validateRunRequest({ id: "p-1", configPath: "/shared/sweep/runs/0-ab/config.json", inPlace: true });
    expect(inPlace.ok && inPlace.data.inPlace).toBe(true);
    const plain = validateRunRequest({ id: "p-2", configPath: "/shared/c.json", inPlace: false });
    expect(plain.ok && plain.data.inPlace).toBeUndefined();
    const problems = (v: unknown) => {
      const r = validateRunRequest(v);
      return r.ok ? [] : r.problems;
    };
    const rule = '"inPlace" runs a config file where it is: it goes with "configPath", without "sourceDir"';
    expect(problems({ id: "a", config: {}, inPlace: true })).toEqual([rule]);
    expect(problems({ id: "a", configPath: "/c.json", sourceDir: "/s", inPlace: true })).toEqual([rule]);
    expect(problems({ id: "a", configPath: "/c.json", inPlace: "yes" })).toEqual(['"inPlace" must be true or false (got "yes")']);
  });
});
