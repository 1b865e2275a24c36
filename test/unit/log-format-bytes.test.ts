import { describe, expect, it } from "vitest";
import { formatBytes } from "../../src/log/format-bytes.js";

describe("formatBytes", () => {
  it("gives every size one decimal and a unit, as upload labels do (protocol.md: `uploading results 1.5MB/300.0MB`)", () => {
    expect(formatBytes(0)).toBe("0.0B");
    expect(formatBytes(512)).toBe("512.0B");
    expect(formatBytes(1023)).toBe("1023.0B");
    expect(formatBytes(1024)).toBe("1.0KB");
    expect(formatBytes(1.5 * 1024 * 1024)).toBe("1.5MB");
    expect(formatBytes(100 * 1024 * 1024)).toBe("100.0MB");
    expect(formatBytes(300 * 1024 * 1024)).toBe("300.0MB");
    expect(formatBytes(20 * 1024 ** 3)).toBe("20.0GB");
    expect(formatBytes(3 * 1024 ** 5)).toBe("3072.0TB");
  });

  it("picks the unit after rounding: just under a unit reads as one of it, not 1024.0 of the smaller", () => {
    expect(formatBytes(1024 * 1024 - 1)).toBe("1.0MB");
    expect(formatBytes(1024 * 1024 - 50)).toBe("1.0MB");
    expect(formatBytes(1024 * 1024 - 103)).toBe("1023.9KB");
    expect(formatBytes(1024 ** 3 - 1)).toBe("1.0GB");
  });

  it("makes a label whose every size matches the protocol's form", () => {
    const label = `uploading results ${formatBytes(612)}/${formatBytes(5 * 1024 * 1024 + 612)}`;
    expect(label).toBe("uploading results 612.0B/5.0MB");
    expect(label).toMatch(/^uploading results \d+\.\d(?:B|KB|MB|GB|TB)\/\d+\.\d(?:B|KB|MB|GB|TB)$/);
  });
});
