/**
 * Pre-signed report links: `?expires=<unix ms>&signature=<hex>`, the signature an HMAC-SHA256 of
 * `<id>.<expires>` with the platform's secret. Whoever holds the link may read the report until it
 * expires, with no token; changing the id or the time breaks the signature.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { HttpError } from "../../server/index.js";

export interface SignedLink {
  expires: number;
  signature: string;
}

export function signReport(secret: string, id: string, expires: number): string {
  return createHmac("sha256", secret).update(`${id}.${expires}`).digest("hex");
}

export function presign(secret: string, id: string, ttlMs: number, now = Date.now()): SignedLink {
  const expires = now + ttlMs;
  return { expires, signature: signReport(secret, id, expires) };
}

/**
 * Throws a 403 saying what is wrong with the link (never what the signature should have been):
 * a malformed or wrong signature first, so that only a genuine link is told it has expired.
 */
export function verifyPresigned(secret: string, id: string, expiresText: string | undefined, signature: string | undefined, now = Date.now()): void {
  const fix = `ask for a fresh link: GET api/v1/reports/${id}`;
  if (expiresText === undefined || signature === undefined) {
    throw new HttpError(403, `this report link has no ${expiresText === undefined ? "expires" : "signature"}; ${fix}`);
  }
  const expires = /^\d{1,16}$/.test(expiresText) ? Number(expiresText) : NaN;
  const given = /^[0-9a-f]{64}$/i.test(signature) ? Buffer.from(signature, "hex") : undefined;
  const expected = Number.isSafeInteger(expires) ? Buffer.from(signReport(secret, id, expires), "hex") : undefined;
  // Equal lengths here (32 bytes each): the comparison takes the same time wherever they differ.
  if (!given || !expected || !timingSafeEqual(given, expected)) {
    throw new HttpError(403, `this report link's signature does not match (the link was changed or is not from this server); ${fix}`);
  }
  if (now > expires) throw new HttpError(403, `this report link expired at ${new Date(expires).toISOString()}; ${fix}`);
}
