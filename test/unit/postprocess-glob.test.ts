import { describe, expect, it } from "vitest";
import { compileGlob } from "../../src/postprocess/glob-pattern.js";

const matches = (glob: string, path: string) => compileGlob(glob).matches(path);

describe("compileGlob()", () => {
  it("matches * within one folder only", () => {
    expect(matches("outputs/*.csv", "outputs/results.csv")).toBe(true);
    expect(matches("outputs/*.csv", "outputs/plots/a.csv")).toBe(false);
    expect(matches("*.txt", "notes.txt")).toBe(true);
    expect(matches("*.txt", "a/notes.txt")).toBe(false);
  });

  it("matches ** across zero or more folders", () => {
    expect(matches("outputs/**/*.csv", "outputs/results.csv")).toBe(true);
    expect(matches("outputs/**/*.csv", "outputs/plots/deep/a.csv")).toBe(true);
    expect(matches("**/*.vtp", "outputs/x/y.vtp")).toBe(true);
    expect(matches("outputs/**", "outputs/a/b/c")).toBe(true);
    expect(matches("outputs/**", "inputs/a")).toBe(false);
  });

  it("takes ?, classes and negated classes", () => {
    expect(matches("step-?.dat", "step-1.dat")).toBe(true);
    expect(matches("step-?.dat", "step-10.dat")).toBe(false);
    expect(matches("step-[0-4].dat", "step-3.dat")).toBe(true);
    expect(matches("step-[0-4].dat", "step-7.dat")).toBe(false);
    expect(matches("step-[!0-4].dat", "step-7.dat")).toBe(true);
  });

  it("treats regex characters in names literally", () => {
    expect(matches("a+b (1).txt", "a+b (1).txt")).toBe(true);
    expect(matches("a.txt", "abtxt")).toBe(false);
  });

  it("leaves hidden names to patterns that name the dot", () => {
    expect(matches("outputs/*", "outputs/.secret")).toBe(false);
    expect(matches("**/*.csv", ".cache/a.csv")).toBe(false);
    expect(matches("outputs/.*", "outputs/.secret")).toBe(true);
    expect(matches(".cache/*.csv", ".cache/a.csv")).toBe(true);
  });

  it("reads a trailing slash as everything below, and finds the literal base", () => {
    expect(matches("outputs/plots/", "outputs/plots/a/b.csv")).toBe(true);
    expect(compileGlob("outputs/plots/").base).toBe("outputs/plots");
    expect(compileGlob("outputs/**/*.csv").base).toBe("outputs");
    expect(compileGlob("*.csv").base).toBe("");
    expect(compileGlob("./outputs/a.csv").matches("outputs/a.csv")).toBe(true);
  });

  it("refuses what would leave workDir", () => {
    expect(() => compileGlob("../x")).toThrow(/\.\./);
    expect(() => compileGlob("outputs/../../x")).toThrow(/\.\./);
    expect(() => compileGlob("/etc/passwd")).toThrow(/absolute/);
    expect(() => compileGlob("")).toThrow(/no path/);
  });
});
