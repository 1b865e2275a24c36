import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { pickFault } from "../../src/server/faults.js";
import { resolveOptions, type ServerOptions } from "../../src/server/server-options.js";
import { KeyLock } from "../../src/server/store/key-lock.js";

describe("resolveOptions", () => {
  it("fills the defaults", () => {
    const options = resolveOptions({ dataDir: "/tmp/x", token: "t" });
    expect(options).toMatchObject({ port: 0, host: "127.0.0.1", faultRate: 0, latencyMs: 0, uploadBytesPerSecond: 0, retryAfterSeconds: 1, v2: true, socketIo: true });
    // Room for the url-encoded base64 of a whole chunk, however its bytes fall.
    expect(options.maxBodyBytes).toBeGreaterThanOrEqual(4 * options.maxChunkBytes);
  });

  it("names the option and the value, never a secret", () => {
    expect(() => resolveOptions({ dataDir: "/tmp/x", token: "t", faultRate: 2 })).toThrow('server option "faultRate" must be a number from 0 to 1 (got 2)');
    expect(() => resolveOptions({ dataDir: "/tmp/x", token: "t", port: 70000 })).toThrow(/"port"/);
    // A JavaScript caller (or a cast) can leave both out: the type says one is needed, this checks it.
    expect(() => resolveOptions({ dataDir: "/tmp/x" } as ServerOptions)).toThrow(ConfigError);
    // @ts-expect-error: the type itself wants a token or a jwtSecret (npm test typechecks this file).
    const neither: ServerOptions = { dataDir: "/tmp/x" };
    expect(neither.dataDir).toBe("/tmp/x");
    expect(() => resolveOptions({ dataDir: "/tmp/x", jwtSecret: "short" })).toThrow(/"jwtSecret".*\(got "\*\*\*"\)/);
    expect(() => resolveOptions({ dataDir: "", token: "t" })).toThrow(/"dataDir"/);
    expect(() => resolveOptions({ dataDir: "/tmp/x", token: "t", faultKinds: ["500" as never] })).toThrow(/"faultKinds" must be a non-empty list of "503", "429", "drop"/);
    expect(() => resolveOptions({ dataDir: "/tmp/x", token: "t", faultKinds: [] })).toThrow(/"faultKinds"/);
    expect(() => resolveOptions({ dataDir: "/tmp/x", token: "t", uploadBytesPerSecond: -1 })).toThrow(/"uploadBytesPerSecond" must be an integer/);
  });

  it("faults only the kinds and paths asked for", () => {
    const options = resolveOptions({ dataDir: "/tmp/x", token: "t", faultRate: 1, faultKinds: ["drop"], faultPaths: ["/storage/append"], random: () => 0.5 });
    expect(pickFault(options, "POST", ["storage", "append"])).toBe("drop");
    expect(pickFault(options, "POST", ["storage", "chunks"])).toBeUndefined();
    expect(pickFault(resolveOptions({ dataDir: "/tmp/x", token: "t", faultRate: 1, random: () => 0.5 }), "PUT", ["runs", "x"])).toBe("429");
  });
});

describe("KeyLock", () => {
  it("runs the work of one key one at a time, other keys alongside", async () => {
    const lock = new KeyLock();
    const order: string[] = [];
    const step = (name: string, ms: number) => async () => {
      order.push(`${name}+`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      order.push(`${name}-`);
    };
    await Promise.all([lock.run("a", step("a1", 20)), lock.run("a", step("a2", 1)), lock.run("b", step("b1", 1))]);
    expect(order.indexOf("a1-")).toBeLessThan(order.indexOf("a2+"));
    expect(order.indexOf("b1-")).toBeLessThan(order.indexOf("a1-"));
    expect(lock.busy("a")).toBe(false);
  });
});
