import path from "node:path";
import { describe, expect, it } from "vitest";
import { HttpError } from "../../src/server/http/http-error.js";
import { DataPaths } from "../../src/server/store/data-paths.js";
import { safeSegment, segmentProblem } from "../../src/server/store/safe-segment.js";

describe("segmentProblem", () => {
  it("takes plain names, uuids and stored filenames", () => {
    for (const name of ["abc", "vtp0b9c.tar.gz", "0b9c1e7a-1f3a-4c1e-9c55-6f1f8a1d2e3f.log", "Run 1", "été.txt", "a.b"]) {
      expect(segmentProblem(name), name).toBeUndefined();
    }
  });

  it("refuses what could leave the folder or is no name at all", () => {
    const bad: unknown[] = ["", ".", "..", "../a", "a/..", "a..b", "a/b", "a\\b", "/etc", "C:\\x", "a\u0000b", "a\nb", "x".repeat(201), 5, null, undefined, ["a"]];
    for (const value of bad) expect(segmentProblem(value), JSON.stringify(value)).toBeDefined();
  });

  it("counts bytes, not characters", () => {
    expect(segmentProblem("é".repeat(100))).toBeUndefined();
    expect(segmentProblem("é".repeat(101))).toMatch(/at most 200 bytes/);
  });

  it("names the field in a 400", () => {
    expect(() => safeSegment("fileId", "..")).toThrow(HttpError);
    expect(() => safeSegment("fileId", "..")).toThrow('"fileId" must not contain ".."');
  });
});

describe("DataPaths", () => {
  const root = path.resolve("/tmp/pw-data");
  const paths = new DataPaths(root);

  it("lays the store out under the root", () => {
    expect(paths.storedFile("r1", "a.log")).toBe(path.join(root, "runs", "r1", "files", "a.log"));
    expect(paths.runData("p", "s")).toBe(path.join(root, "run-data", "p", "s.json"));
    expect(paths.uploadData("u")).toBe(path.join(root, "uploads", "u.data"));
    expect(paths.uploadRecords()).toBe(path.join(root, "uploads.jsonl"));
    expect(paths.fileRecords("r1")).toBe(path.join(root, "runs", "r1", "file-records.jsonl"));
  });

  it("refuses a path that resolves outside the root, or the root itself", () => {
    expect(() => paths.at("..", "x")).toThrow(/outside the data folder/);
    expect(() => paths.at("/etc/passwd")).toThrow(/outside/);
    expect(() => paths.at("a", "..", "..", "b")).toThrow(/outside/);
    expect(() => paths.at(".")).toThrow(/outside/);
    expect(paths.at("a", "..", "b")).toBe(path.join(root, "b"));
  });
});
