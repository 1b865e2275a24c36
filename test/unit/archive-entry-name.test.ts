import { describe, expect, it } from "vitest";
import { checkEntryName } from "../../src/archive/entry-name.js";
import { quote } from "../../src/archive/quote.js";

describe("checkEntryName", () => {
  it.each([
    ["a.txt", ["a.txt"]],
    ["sub/deep/file", ["sub", "deep", "file"]],
    ["./sub/./file", ["sub", "file"]],
    ["sub/", ["sub"]],
    ["a/../b", ["b"]],
    ["a//b", ["a", "b"]],
    ["win\\style\\path.txt", ["win", "style", "path.txt"]],
    ["..a/b..", ["..a", "b.."]],
    [".", []],
  ])("takes %j as %j", (name, segments) => {
    expect(checkEntryName(name)).toEqual({ ok: true, segments });
  });

  it.each([
    ["../evil", /leads out/],
    ["a/../../evil", /leads out/],
    ["..\\evil", /leads out/],
    ["..", /leads out/],
    ["/abs/evil", /absolute/],
    ["C:\\evil", /absolute/],
    ["c:/evil", /absolute/],
    ["C:evil", /absolute/],
    ["\\\\server\\share\\evil", /absolute/],
    ["nul\0evil", /NUL/],
  ])("refuses %j", (name, reason) => {
    const checked = checkEntryName(name);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.reason).toMatch(reason);
  });
});

describe("messages", () => {
  it("quotes names as they are unless they hold control characters", () => {
    expect(quote("a\\b c")).toBe('"a\\b c"');
    expect(quote("nul\0")).toBe('"nul\\u0000"');
    expect(quote('say "hi"')).toBe('"say \\"hi\\""');
  });
});
