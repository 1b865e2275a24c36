import { randomBytes } from "node:crypto";
import { text } from "node:stream/consumers";
import { describe, expect, it } from "vitest";
import { createFormCodec } from "../../src/form-codec/form-codec.js";
import { jsFormCodec } from "../../src/form-codec/js-form-codec.js";
import { base64JsonForm } from "../../src/platform/index.js";

describe.each([createFormCodec(), jsFormCodec])("base64JsonForm with the $kind codec", (codec) => {
  it("streams json=<urlencoded JSON> with the bytes' base64, in exactly `length` bytes", async () => {
    for (const size of [0, 1, 2, 3, 49_151, 49_152, 49_153, 200_000]) {
      const bytes = randomBytes(size);
      const fields = { filename: "a b+c/ü&=.log", isNew: true, metadata: { project: "p", path: "logs/x y.log" } };
      const form = base64JsonForm(codec, fields, "chunk", bytes);
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
    const form = base64JsonForm(codec, { filename: "f" }, "chunk", randomBytes(1000));
    expect(await text(form.stream())).toBe(await text(form.stream()));
  });
});
