import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { presign, signReport, verifyPresigned } from "../../src/local-platform/reports/presign.js";
import { HttpError } from "../../src/server/index.js";

const SECRET = "s".repeat(32);
const ID = "0b8a1c2e-5f0e-4c39-9d4e-3f1f2a6b7c8d";
const NOW = 1_800_000_000_000;

function refusal(expires: string | undefined, signature: string | undefined, now = NOW): HttpError {
  try {
    verifyPresigned(SECRET, ID, expires, signature, now);
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    return error as HttpError;
  }
  throw new Error("the link was accepted");
}

describe("pre-signed report links", () => {
  it("signs <id>.<expires> with HMAC-SHA256, hex", () => {
    const expected = createHmac("sha256", SECRET).update(`${ID}.${NOW}`).digest("hex");
    expect(signReport(SECRET, ID, NOW)).toBe(expected);
    expect(presign(SECRET, ID, 60_000, NOW)).toEqual({ expires: NOW + 60_000, signature: signReport(SECRET, ID, NOW + 60_000) });
  });

  it("accepts its own link until it expires, the last millisecond included", () => {
    const { expires, signature } = presign(SECRET, ID, 60_000, NOW);
    expect(() => verifyPresigned(SECRET, ID, String(expires), signature, NOW)).not.toThrow();
    expect(() => verifyPresigned(SECRET, ID, String(expires), signature.toUpperCase(), expires)).not.toThrow();
    const error = refusal(String(expires), signature, expires + 1);
    expect(error.status).toBe(403);
    expect(error.message).toContain("expired at");
    expect(error.message).toContain(`GET api/v1/reports/${ID}`);
  });

  it("refuses a changed expiry, id, signature or secret, and never tells the expected signature", () => {
    const { expires, signature } = presign(SECRET, ID, 60_000, NOW);
    const flipped = (signature[0] === "a" ? "b" : "a") + signature.slice(1);
    const cases: HttpError[] = [
      refusal(String(expires + 3_600_000), signature),
      refusal(String(expires), flipped),
      refusal(String(expires), signature.slice(0, 63)),
      refusal(String(expires), `${signature}00`),
      refusal(String(expires), "z".repeat(64)),
      refusal(`${expires}.0`, signature),
      refusal("-1", signature),
    ];
    try {
      verifyPresigned(SECRET, "another-id", String(expires), signature, NOW);
      throw new Error("accepted for another id");
    } catch (error) {
      cases.push(error as HttpError);
    }
    try {
      verifyPresigned("t".repeat(32), ID, String(expires), signature, NOW);
      throw new Error("accepted with another secret");
    } catch (error) {
      cases.push(error as HttpError);
    }
    for (const error of cases) {
      expect(error.status).toBe(403);
      expect(error.message).toContain("signature does not match");
      expect(error.message).not.toContain(signature);
    }
  });

  it("checks the signature before the time: a changed link is not told it expired", () => {
    const { expires, signature } = presign(SECRET, ID, 60_000, NOW);
    expect(refusal(String(expires - 120_000), signature, NOW).message).toContain("signature does not match");
  });

  it("names what a link lacks", () => {
    expect(refusal(undefined, "ab").message).toContain("has no expires");
    expect(refusal(String(NOW), undefined).message).toContain("has no signature");
  });
});
