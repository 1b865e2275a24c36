import { describe, expect, test } from "vitest";
import { burnPasswordCheck, hashPassword, verifyPassword } from "../../src/local-platform/users/password.js";

describe("scrypt passwords", () => {
  test("the stored form names the algorithm and the docs' parameters, with a 16-byte salt and a 64-byte key", async () => {
    const stored = await hashPassword("correct horse");
    const [algorithm, n, r, p, salt, key] = stored.split("$");
    expect([algorithm, n, r, p]).toEqual(["scrypt", "16384", "8", "1"]);
    expect(Buffer.from(salt!, "base64")).toHaveLength(16);
    expect(Buffer.from(key!, "base64")).toHaveLength(64);
  });

  test("the right password matches, a wrong one does not; the same password hashes differently each time", async () => {
    const stored = await hashPassword("correct horse");
    expect(await verifyPassword("correct horse", stored)).toBe(true);
    expect(await verifyPassword("correct horsE", stored)).toBe(false);
    expect(await verifyPassword("", stored)).toBe(false);
    expect(await hashPassword("correct horse")).not.toBe(stored);
  });

  test("unicode passwords: the same text in another normal form matches", async () => {
    const stored = await hashPassword("caf\u00e9-pass");
    expect(await verifyPassword("cafe\u0301-pass", stored)).toBe(true);
  });

  test("a malformed or tampered hash never matches and never throws", async () => {
    const stored = await hashPassword("correct horse");
    const parts = stored.split("$");
    for (const bad of [
      "",
      "plain",
      parts.slice(0, 5).join("$"),
      ["bcrypt", ...parts.slice(1)].join("$"),
      ["scrypt", "1073741824", ...parts.slice(2)].join("$"), // would ask for gigabytes
      ["scrypt", "1000", ...parts.slice(2)].join("$"), // not a power of two
      [...parts.slice(0, 5), ""].join("$"),
      [...parts.slice(0, 5), Buffer.alloc(64).toString("base64")].join("$"),
    ]) {
      expect(await verifyPassword("correct horse", bad), bad).toBe(false);
    }
  });

  test("burnPasswordCheck does the work of a check and answers nothing", async () => {
    await expect(burnPasswordCheck("whatever")).resolves.toBeUndefined();
  });
});
