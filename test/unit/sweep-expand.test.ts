import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { expandPoints } from "../../src/sweep/expand-points.js";
import { expandRange } from "../../src/sweep/expand-range.js";
import { canonicalJson, pointHash } from "../../src/sweep/point-hash.js";
import { readSweepSpec } from "../../src/sweep/read-spec.js";

describe("expandRange", () => {
  it("steps from `from` to `to` inclusive, without float drift", () => {
    expect(expandRange({ from: 21, to: 61, step: 20, scale: "linear" })).toEqual([21, 41, 61]);
    expect(expandRange({ from: 0, to: 1, step: 0.1, scale: "linear" })).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(expandRange({ from: 0, to: 1, step: 0.3, scale: "linear" })).toEqual([0, 0.3, 0.6, 0.9]);
  });
  it("takes num values, linear or log, ends exact", () => {
    expect(expandRange({ from: 0, to: 1, num: 5, scale: "linear" })).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(expandRange({ from: 10, to: 1000, num: 3, scale: "log" })).toEqual([10, 100, 1000]);
    expect(expandRange({ from: 1e-4, to: 1e-1, num: 4, scale: "log" })).toEqual([1e-4, 1e-3, 1e-2, 1e-1]);
    expect(expandRange({ from: 3, to: 7, num: 1, scale: "linear" })).toEqual([3]);
  });
});

describe("expandPoints", () => {
  const a = { name: "a", values: [1, 2] };
  const b = { name: "b", values: ["x", "y", "z"] };
  it("product: every combination, the last parameter fastest, dirs <index>-<hash>", () => {
    const points = expandPoints([a, b], "product");
    expect(points.map((p) => p.parameters)).toEqual([
      { a: 1, b: "x" }, { a: 1, b: "y" }, { a: 1, b: "z" },
      { a: 2, b: "x" }, { a: 2, b: "y" }, { a: 2, b: "z" },
    ]);
    expect(points[4]?.dir).toBe(`4-${pointHash({ a: 2, b: "y" })}`);
    expect(points[4]?.dir).toMatch(/^4-[0-9a-f]{8}$/);
  });
  it("zip: the i-th values together; unequal lengths name every length", () => {
    expect(expandPoints([a, { name: "b", values: ["x", "y"] }], "zip").map((p) => p.parameters)).toEqual([{ a: 1, b: "x" }, { a: 2, b: "y" }]);
    expect(() => expandPoints([a, b], "zip", "s.yaml")).toThrow(/s\.yaml: "combine: zip" .*a: 2, b: 3/);
  });
  it("the hash depends on the parameters, not on their order", () => {
    expect(canonicalJson({ b: 1, a: "x" })).toBe('{"a":"x","b":1}');
    expect(pointHash({ b: 1, a: "x" })).toBe(pointHash({ a: "x", b: 1 }));
    expect(pointHash({ a: 1 })).not.toBe(pointHash({ a: "1" }));
  });
});

describe("readSweepSpec", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "pw-sweep-spec-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const spec = async (text: string, name = "sweep.yaml") => {
    const path = join(dir, name);
    await writeFile(path, text);
    return readSweepSpec(path);
  };
  const base = `base: {mainScript: main.py, command: python3}\nscripts: .\n`;

  it("reads lists, ranges, log ranges and scalars; resolves root and slurm", async () => {
    const s = await spec(`${base}root: out
parameters:
  alpha: [1e-4, 2e-4]
  nx: {from: 21, to: 61, step: 20}
  t_end: {from: 10, to: 1000, num: 3, scale: log}
  mode: sine
slurm: {partition: debug, time: "00:05:00", cpus: 1, memory: 500M, maxParallel: 2, extra: ["--exclusive"]}
`);
    expect(s.parameters).toEqual([
      { name: "alpha", values: [1e-4, 2e-4] },
      { name: "nx", values: [21, 41, 61] },
      { name: "t_end", values: [10, 100, 1000] },
      { name: "mode", values: ["sine"] },
    ]);
    expect(s.root).toBe(join(dir, "out"));
    expect(s.scripts).toBe(dir);
    expect(s.combine).toBe("product");
    expect(s.slurm).toEqual({ partition: "debug", time: "00:05:00", cpus: 1, memory: "500M", maxParallel: 2, extra: ["--exclusive"], signal: "B:TERM@60" });
  });

  it("names the spec's base for a base config file that is not there", async () => {
    const error = (await spec(`base: ./nope.json\nscripts: .\nparameters: {a: [1]}\n`, "nobase.yaml").catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(`${join(dir, "nope.json")}: config file not found (check "base" in ${join(dir, "nobase.yaml")})`);
  });

  it("places a spec's parse fault without quoting it (its base may hold the token)", async () => {
    const json = (await spec(`{"base": {"token": SECRETTOKEN123}, "parameters": {"a": [1]}}`, "leak.json").catch((e: unknown) => e)) as Error;
    expect(json).toBeInstanceOf(ConfigError);
    expect(json.message).toBe(`${join(dir, "leak.json")}: not valid JSON (line 1, column 20): unexpected character`);
    const yaml = (await spec(`base:\n  token: SECRETTOKEN123\n   mainScript: x: y\n`, "leak.yaml").catch((e: unknown) => e)) as Error;
    expect(yaml).toBeInstanceOf(ConfigError);
    expect(yaml.message).not.toContain("SECRET");
    expect(yaml.message).toMatch(/leak\.yaml: not valid YAML \(line 3, column \d+\): /);
  });

  it("reads JSON too, with a base config file whose paths it makes absolute", async () => {
    await writeFile(join(dir, "config.json"), JSON.stringify({ workDir: ".", mainScript: "main.py", scriptsArchive: "s.zip" }));
    const s = await spec(JSON.stringify({ base: "config.json", combine: "zip", parameters: { a: [1, 2], b: [3, 4] } }), "sweep.json");
    expect(s.base).toEqual({ mainScript: "main.py", scriptsArchive: join(dir, "s.zip") });
    expect(s.combine).toBe("zip");
  });

  it.each([
    [`${base}parameters: {nx: {from: 1, to: 5, step: x}}`, /sweep\.yaml: parameters\.nx\.step must be a number > 0 \(got "x"\)/],
    [`${base}parameters: {nx: {from: 1, to: 5}}`, /parameters\.nx needs exactly one of step or num/],
    [`${base}parameters: {nx: {from: 1, to: 5, num: 3, scale: log, stepp: 1}}`, /parameters\.nx\.stepp is not a known key; did you mean "parameters\.nx\.step"\?/],
    [`${base}parameters: {nx: {from: 0, to: 5, num: 3, scale: log}}`, /parameters\.nx is a log range: it needs from and to > 0/],
    [`${base}parameters: {nx: []}`, /parameters\.nx is an empty list/],
    [`${base}parameters: {nx: [1, {a: 2}]}`, /parameters\.nx\[1\] must be a number, a string or true\/false/],
    [`${base}parameters: {}`, /parameters must be an object of parameters/],
    [`${base}parameter: {a: [1]}`, /parameter is not a known key; did you mean "parameters"\?/],
    [`${base}combine: cross\nparameters: {a: [1]}`, /combine must be "product" or "zip" \(got "cross"\)/],
    [`${base}parameters: {a: [1]}\nslurm: {time: "5 minutes"}`, /slurm\.time must be a wall time/],
    [`${base}parameters: {a: [1]}\nslurm: {maxParallel: 0}`, /slurm\.maxParallel must be a whole number >= 1 \(got 0\)/],
    [`${base}parameters: {a: [1]}\nslurm: {extra: ["--x\\n rm -rf /"]}`, /slurm\.extra must be a list of sbatch options/],
    [`${base}parameters: {a: [1]}\nslurm: {extra: ["--clusters=c2"]}`, /slurm\.extra must not choose another cluster \("--clusters=c2"\)/],
    [`${base}parameters: {a: [1]}\nslurm: {extra: ["-Mc2"]}`, /slurm\.extra must not choose another cluster \("-Mc2"\)/],
    [`base: {mainScript: 3, scripts: .}\nparameters: {a: [1]}`, /base/],
    [`base: 42\nparameters: {a: [1]}`, /sweep\.yaml: base must be a config file/],
    [
      `base: {mainScrpt: main.py}\nscripts: .\nparameters: {a: [1]}`,
      /^[^\n]*sweep\.yaml: base has fields the runner does not know: "mainScrpt" \(did you mean "mainScript"\?\); a sweep refuses them, since they would reach every point$/,
    ],
    [`base: {mainScript: main.py}\nparameters: {a: [1]}`, /sweep\.yaml: scripts is needed/],
  ])("refuses a bad spec, naming the key: %s", async (text, message) => {
    const error = await spec(text).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });

  it("tells every problem of a spec at once, one per line", async () => {
    const error = (await spec(`base: {mainScript: main.py}\nparameter: {a: [1]}\ncombine: cross\nslurm: {maxParallel: 0}\n`, "many.yaml").catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message.split("\n")).toEqual([
      `${join(dir, "many.yaml")}: 5 problems:`,
      `  parameter is not a known key; did you mean "parameters"?`,
      expect.stringMatching(/^  scripts is needed: /),
      `  combine must be "product" or "zip" (got "cross")`,
      expect.stringMatching(/^  parameters must be an object of parameters/),
      "  slurm.maxParallel must be a whole number >= 1 (got 0)",
    ]);
    // The folders wait for a base that is right: a bad base is one problem, not two.
    const badBase = (await spec(`base: 42\nparameters: {a: []}\n`, "bad-base.yaml").catch((e: unknown) => e)) as Error;
    expect(badBase.message.split("\n")).toEqual([
      `${join(dir, "bad-base.yaml")}: 2 problems:`,
      expect.stringMatching(/^  base must be a config file/),
      "  parameters.a is an empty list; give at least one value",
    ]);
    // Each parameter is checked whatever was wrong with the one before it.
    const params = (await spec(`base: {mainScript: main.py}\nscripts: .\nparameters: {a: {from: 0, to: 1, step: x}, b: [], c: {from: 0, to: 10, num: 3, scale: log}}\n`, "params.yaml").catch((e: unknown) => e)) as Error;
    expect(params.message.split("\n")).toEqual([
      `${join(dir, "params.yaml")}: 3 problems:`,
      expect.stringMatching(/^  parameters\.a\.step must be /),
      "  parameters.b is an empty list; give at least one value",
      expect.stringMatching(/^  parameters\.c is a log range: it needs from and to > 0/),
    ]);
  });
});
