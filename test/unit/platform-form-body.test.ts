import { randomBytes } from "node:crypto";
import { text } from "node:stream/consumers";
import { describe, expect, it } from "vitest";
import { base64JsonForm, urlEncodedBase64Length } from "../../src/platform/index.js";

const urlEncodedBase64 = (bytes: Buffer) =>
  bytes.toString("base64").replace(/\+/g, "%2B").replace(/\//g, "%2F").replace(/=/g, "%3D");

describe("urlEncodedBase64Length", () => {
  it("equals the length of the url-encoded base64, for every remainder and every sextet", () => {
    const samples: Buffer[] = [Buffer.alloc(0), Buffer.alloc(300, 0xff), Buffer.alloc(301, 0xfb), Buffer.alloc(302, 0xbf)];
    for (let size = 0; size < 400; size++) samples.push(randomBytes(size));
    // Every byte in every position of a group.
    for (let b = 0; b < 256; b++) samples.push(Buffer.from([b]), Buffer.from([b, b]), Buffer.from([0, b, 0xff]), Buffer.from([0xff, 0xff, b]));
    for (const bytes of samples) expect(urlEncodedBase64Length(bytes)).toBe(urlEncodedBase64(bytes).length);
  });
});

describe("base64JsonForm", () => {
  it("streams json=<urlencoded JSON> with the bytes' base64, in exactly `length` bytes", async () => {
    for (const size of [0, 1, 2, 3, 49_151, 49_152, 49_153, 200_000]) {
      const bytes = randomBytes(size);
      const fields = { filename: "a b+c/ü&=.log", isNew: true, metadata: { project: "p", path: "logs/x y.log" } };
      const form = base64JsonForm(fields, "chunk", bytes);
      const body = await text(form.stream());
      expect(Buffer.byteLength(body), `size ${size}`).toBe(form.length);
      const params = new URLSearchParams(body);
      expect([...params.keys()]).toEqual(["json"]);
      const json = JSON.parse(params.get("json")!) as Record<string, unknown>;
      expect(json).toEqual({ ...fields, chunk: bytes.toString("base64") });
      // What the Python runner's form would decode to, also with its + for spaces.
      expect(body).not.toMatch(/[^A-Za-z0-9%*\-._+=]/);
    }
  });

  it("can be streamed again for a retry", async () => {
    const form = base64JsonForm({ filename: "f" }, "chunk", randomBytes(1000));
    expect(await text(form.stream())).toBe(await text(form.stream()));
  });
});
