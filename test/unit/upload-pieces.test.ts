import { describe, expect, it } from "vitest";
import { BoundedPool } from "../../src/upload/bounded-pool.js";
import { followedDuringRun, outputKind } from "../../src/upload/output-kind.js";
import { textCut } from "../../src/upload/read-piece.js";

describe("textCut", () => {
  it("ends after the last line end", () => {
    expect(textCut(Buffer.from("a\nbc\nde"))).toBe(5);
  });
  it("without a line end, ends on a character boundary", () => {
    const euro = Buffer.from("ab€", "utf8"); // € is 3 bytes
    expect(textCut(euro)).toBe(5);
    expect(textCut(euro.subarray(0, 4))).toBe(2);
    expect(textCut(euro.subarray(0, 3))).toBe(2);
    expect(textCut(Buffer.from("😀", "utf8").subarray(0, 3))).toBe(0);
  });
});

describe("followedDuringRun", () => {
  it("follows state.txt always, the live folders with an uploader, everything with filesDuringRun", () => {
    for (const scope of ["state", "live", "all"] as const) {
      expect(followedDuringRun("", scope)).toBe(true);
      expect(followedDuringRun("state.txt", scope)).toBe(true);
    }
    for (const live of ["logs", "logs/a.log", "plots/sub/t.csv", "media/m.mp4"]) {
      expect(followedDuringRun(live, "state")).toBe(false);
      expect(followedDuringRun(live, "live")).toBe(true);
    }
    for (const whole of ["files", "files/a.bin", "results.csv", "graphics/x.vtp", "logsx/a.log", "sub/logs/a.log"]) {
      expect(followedDuringRun(whole, "live")).toBe(false);
      expect(followedDuringRun(whole, "all")).toBe(true);
    }
  });
});

describe("outputKind", () => {
  it("follows protocol.md's table", () => {
    expect(outputKind("logs/solver.log")).toEqual({ kind: "live", slug: "logs", isAscii: true });
    expect(outputKind("plots/sub/t.csv")).toEqual({ kind: "live", slug: "plots", isAscii: true });
    expect(outputKind("media/movie.mp4")).toEqual({ kind: "live", slug: "media", isAscii: false });
    expect(outputKind("results.csv")).toEqual({ kind: "file" });
    expect(outputKind("files/mesh.vtu")).toEqual({ kind: "file" });
    expect(outputKind("state.txt").kind).toBe("skip");
    for (const p of ["logs/.hidden", "files/a.tmp", "files/a.part", "plots/.x.swp", "files/b~", ".cache/x"]) {
      expect(outputKind(p).kind, p).toBe("skip");
    }
  });
});

describe("BoundedPool", () => {
  it("runs at most `size` jobs at once and never one key twice at once", async () => {
    let running = 0;
    let most = 0;
    const perKey = new Map<string, number>();
    const runs: string[] = [];
    const pool = new BoundedPool(
      3,
      async (key) => {
        running++;
        perKey.set(key, (perKey.get(key) ?? 0) + 1);
        most = Math.max(most, running);
        expect(perKey.get(key)).toBe(1);
        await new Promise((r) => setTimeout(r, 5));
        perKey.set(key, (perKey.get(key) ?? 1) - 1);
        runs.push(key);
        running--;
      },
      () => undefined,
    );
    for (let i = 0; i < 20; i++) pool.push(`k${i % 5}`);
    await new Promise((r) => setTimeout(r, 1));
    for (let i = 0; i < 5; i++) pool.push(`k${i}`);
    await pool.idle();
    expect(most).toBe(3);
    // Queued twice while queued counts once; queued while running runs once more after it.
    expect(runs.length).toBeGreaterThanOrEqual(5);
    expect(runs.length).toBeLessThanOrEqual(10);
  });

  it("reports a failing job and goes on", async () => {
    const errors: string[] = [];
    const pool = new BoundedPool(2, async (key) => {
      if (key === "bad") throw new Error("nope");
    }, (key, e) => errors.push(`${key}: ${(e as Error).message}`));
    ["a", "bad", "c"].forEach((k) => pool.push(k));
    await pool.idle();
    expect(errors).toEqual(["bad: nope"]);
  });
});
