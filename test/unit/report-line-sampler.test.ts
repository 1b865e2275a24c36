import { describe, expect, it } from "vitest";
import { LineSampler, type Point } from "../../src/report/line-sampler.js";

function feed(values: number[], maxPoints: number): (Point | null)[] {
  const sampler = new LineSampler(maxPoints);
  values.forEach((y, i) => sampler.add(i, y));
  return sampler.points();
}

describe("LineSampler", () => {
  it("keeps a short line whole", () => {
    const line = feed([3, 1, 4, 1, 5, 9, 2, 6], 2000);
    expect(line).toEqual([3, 1, 4, 1, 5, 9, 2, 6].map((y, x) => ({ x, y })));
  });

  it("thins a million points to at most maxPoints, in order, keeping the peaks", () => {
    const values = Array.from({ length: 1_000_000 }, (_, i) => Math.sin(i / 1000));
    values[123_457] = 50;
    values[876_543] = -50;
    const line = feed(values, 2000);
    expect(line.length).toBeLessThanOrEqual(2000);
    expect(line.length).toBeGreaterThan(500);
    const points = line.filter((p): p is Point => p !== null);
    expect(points.map((p) => p.x)).toEqual([...points.map((p) => p.x)].sort((a, b) => a - b));
    expect(points[0]).toEqual({ x: 0, y: 0 });
    expect(points.at(-1)?.x).toBe(999_999);
    expect(points).toContainEqual({ x: 123_457, y: 50 });
    expect(points).toContainEqual({ x: 876_543, y: -50 });
  });

  it("breaks the line where a value is missing, and ignores leading and trailing gaps", () => {
    const line = feed([NaN, 1, 2, NaN, NaN, 3, Infinity], 2000);
    expect(line).toEqual([{ x: 1, y: 1 }, { x: 2, y: 2 }, null, { x: 5, y: 3 }]);
  });

  it("counts numeric points only", () => {
    const sampler = new LineSampler(100);
    [1, NaN, 2].forEach((y, x) => sampler.add(x, y));
    expect(sampler.count).toBe(2);
  });
});
