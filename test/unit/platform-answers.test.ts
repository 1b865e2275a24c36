import { describe, expect, it } from "vitest";
import { BadAnswer, parseJsonAnswer } from "../../src/platform/answer-shape.js";
import { capabilitiesOf, completeUploadOf, openUploadOf, runDataOf, runNodeOf } from "../../src/platform/answers.js";

const runData = {
  simulation: { tree: { a: 1 }, meshes: [{ id: "m1", rawMeshFile: "f1.msh", extra: true }] },
  materials: [{ id: "mat1", composition: {}, variant: {} }],
  inputs: { x: 1 },
  physicsFeature: { config: { downloadable: {} }, inputs: null, scripts: "s1" },
};

describe("answer checks", () => {
  it("accepts a complete run data answer and keeps unknown fields", () => {
    const data = runDataOf(runData);
    expect(data.simulation.meshes[0]).toEqual({ id: "m1", rawMeshFile: "f1.msh", extra: true });
    expect(data.physicsFeature.scripts).toBe("s1");
  });

  it("names the missing or wrong field", () => {
    const noMeshes = { ...runData, simulation: { tree: {} } };
    expect(() => runDataOf(noMeshes)).toThrow('"simulation.meshes" must be an array (got nothing)');
    const badMesh = { ...runData, simulation: { tree: {}, meshes: [{ id: "m", rawMeshFile: 3 }] } };
    expect(() => runDataOf(badMesh)).toThrow('"simulation.meshes[0].rawMeshFile" must be a string (got 3)');
    expect(() => runNodeOf({ id: "r", name: "Run 1" })).toThrow('"children" must be an array');
    expect(() => openUploadOf({ uploadId: "u", offset: -1 })).toThrow('"offset" must be a whole number');
    expect(() => completeUploadOf([])).toThrow("must be an object (got an array)");
  });

  it("leaves out upload versions it does not know", () => {
    expect(capabilitiesOf({ uploads: ["v1", "v2", "v9"] })).toEqual({ uploads: ["v1", "v2"], events: [] });
  });

  it("says what came instead of JSON", () => {
    const html = { status: 200, contentType: "text/html; charset=utf-8", text: "<!doctype html><title>Login</title>" };
    expect(() => parseJsonAnswer(html)).toThrow(BadAnswer);
    expect(() => parseJsonAnswer(html)).toThrow("answered 200 with text/html instead of JSON");
    expect(() => parseJsonAnswer({ status: 200, contentType: "application/json", text: "" })).toThrow("an empty body");
    expect(() => parseJsonAnswer({ status: 200, contentType: "application/json", text: '{"a": [1, 2' })).toThrow(
      /JSON that does not parse .*cut off/,
    );
    expect(parseJsonAnswer({ status: 200, contentType: "", text: '{"a":1}' })).toEqual({ a: 1 });
  });
});
