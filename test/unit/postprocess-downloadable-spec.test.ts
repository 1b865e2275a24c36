import { describe, expect, it } from "vitest";
import { readDownloadableSpec } from "../../src/postprocess/downloadable-spec.js";

describe("readDownloadableSpec()", () => {
  it("reads the protocol's example tree into paths", () => {
    const spec = readDownloadableSpec({ basic: { outputs: { plots: true, "results.csv": true, logs: false } } });
    expect(spec.paths).toEqual(["outputs/plots", "outputs/results.csv"]);
    expect(spec.warnings).toEqual([]);
  });

  it("is empty, with no warning, when there is no spec", () => {
    for (const value of [undefined, null, {}]) {
      const spec = readDownloadableSpec(value);
      expect(spec.paths).toEqual([]);
      expect(spec.globs).toEqual([]);
      expect(spec.warnings).toEqual([]);
    }
  });

  it("warns about bad leaves and keeps the good ones", () => {
    const spec = readDownloadableSpec({ basic: { outputs: { a: true, b: [1], c: null, d: 1, e: "yes", f: 0 } } });
    expect(spec.paths).toEqual(["outputs/a", "outputs/d", "outputs/e"]);
    expect(spec.warnings).toHaveLength(5);
    expect(spec.warnings[0]).toBe('solverConfig.downloadable.basic["outputs"]["b"] must be true, false or an object of path segments (got a list); ignored');
    expect(spec.warnings.join("\n")).toMatch(/\["d"\] is 1; taken as true/);
    expect(spec.warnings.join("\n")).toMatch(/\["f"\] must be true, false.*got 0/);
  });

  it("refuses segments that leave workDir", () => {
    const spec = readDownloadableSpec({ basic: { "..": { etc: true }, outputs: { "../../x": true, "/abs": true, "plots/a.csv": true } } });
    expect(spec.paths).toEqual(["outputs/plots/a.csv"]);
    expect(spec.warnings).toHaveLength(3);
    expect(spec.warnings.every((w) => w.includes("must name something below workDir"))).toBe(true);
  });

  it("warns about globs that are not strings or leave workDir", () => {
    const spec = readDownloadableSpec({ globs: ["outputs/**/*.csv", 7, "../up/*", { a: 1 }] });
    expect(spec.globs.map((g) => g.source)).toEqual(["outputs/**/*.csv"]);
    expect(spec.warnings).toEqual([
      "solverConfig.downloadable.globs[1] must be a string (got 7); ignored",
      'solverConfig.downloadable.globs[2] "../up/*" climbs out with ".."; globs stay inside workDir; ignored',
      "solverConfig.downloadable.globs[3] must be a string (got an object); ignored",
    ]);
  });

  it("warns about a spec of the wrong shape and unknown keys", () => {
    expect(readDownloadableSpec("outputs").warnings[0]).toMatch(/must be an object \{basic\?, globs\?\}/);
    expect(readDownloadableSpec({ globs: "outputs/*" }).warnings[0]).toMatch(/globs must be a list of strings/);
    expect(readDownloadableSpec({ basic: true }).warnings[0]).toMatch(/basic must be a tree/);
    expect(readDownloadableSpec({ glob: ["a"] }).warnings[0]).toMatch(/downloadable\.glob is not known/);
  });
});
