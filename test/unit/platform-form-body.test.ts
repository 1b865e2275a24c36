import { randomBytes } from "node:crypto";
import { text } from "node:stream/consumers";
import { describe, expect, it } from "vitest";
import { createFormCodec } from "../../src/form-codec/form-codec.js";
import { jsFormCodec } from "../../src/form-codec/js-form-codec.js";
import { wasmFormCodec } from "../../src/form-codec/wasm-form-codec.js";
import { base64JsonForm } from "../../src/platform/index.js";

describe.each([createFormCodec(), jsFormCodec])("base64JsonForm with the $kind codec", (codec) => {
  it("streams json=<urlencoded JSON> with the bytes' base64, in exactly `length` bytes", async () => {
    for (const size of [0, 1, 2, 3, 49_151, 49_152, 49_153, 200_000, 786_431, 786_432, 786_433, 5 * 1024 * 1024]) {
      const bytes = randomBytes(size);
      const fields = { filename: "a b+c/ü&=.log", isNew: true, metadata: { project: "p", path: "logs/x y.log" } };
      const form = base64JsonForm(codec, fields, "chunk", bytes);
      const body = await text(form.stream());
      expect(Buffer.byteLength(body), `size ${size}`).toBe(form.length);
      const params = new URLSearchParams(body);
      expect([...params.keys()]).toEqual(["json"]);
      const json = JSON.parse(params.get("json")!) as Record<string, unknown>;
      expect(json).toEqual({ ...fields, chunk: bytes.toString("base64") });
      // What the Python runner's form would decode to, also with its + for spaces; "/" is escaped
      // in the JSON around the chunk (as Python escapes it) but left as it is in the base64.
      expect(body).not.toMatch(/[^A-Za-z0-9%*\-._+=/]/);
      const base64At = body.indexOf("%22chunk%22%3A%22") + "%22chunk%22%3A%22".length;
      expect(body.slice(0, base64At)).not.toContain("/");
      expect(body.slice(base64At)).not.toContain("%2F");
    }
  });

  it("can be streamed again for a retry", async () => {
    const form = base64JsonForm(codec, { filename: "f" }, "chunk", randomBytes(1000));
    expect(await text(form.stream())).toBe(await text(form.stream()));
  });
});

describe("base64JsonForm's memory (WebAssembly codec)", () => {
  const codec = wasmFormCodec()!;
  /** The memory of the body's encoded pieces (the JSON around them is small). */
  const memoryOf = async (form: ReturnType<typeof base64JsonForm>) => {
    const memory: ArrayBufferLike[] = [];
    for await (const piece of form.stream()) if ((piece as Buffer).length > 1000) memory.push((piece as Buffer).buffer);
    return memory;
  };

  it("reuses a released body's memory for the next body, which still streams its own bytes", async () => {
    const first = base64JsonForm(codec, { filename: "f" }, "chunk", randomBytes(2_000_000));
    const memory = await memoryOf(first);
    first.release();
    first.release(); // twice is once
    const bytes = randomBytes(2_000_000);
    const second = base64JsonForm(codec, { filename: "f" }, "chunk", bytes);
    const third = base64JsonForm(codec, { filename: "f" }, "chunk", randomBytes(2_000_000));
    const owners = [...(await memoryOf(second)), ...(await memoryOf(third))];
    expect(owners.filter((owner) => memory.includes(owner))).toHaveLength(memory.length);
    // Two bodies never share memory, even after a double release.
    expect(new Set(owners).size).toBe(owners.length);
    const json = JSON.parse(new URLSearchParams(await text(second.stream())).get("json")!) as { chunk: string };
    expect(Buffer.from(json.chunk, "base64").equals(bytes)).toBe(true);
  });

  it("never reuses the memory of a body that was not released", async () => {
    const kept = base64JsonForm(codec, { filename: "f" }, "chunk", randomBytes(1_000_000));
    const before = await text(kept.stream());
    for (let i = 0; i < 30; i++) base64JsonForm(codec, { filename: "f" }, "chunk", randomBytes(1_000_000)).release();
    expect(await text(kept.stream())).toBe(before);
  });
});

it("a small body (a live append's) takes no pooled megabyte", async () => {
  const codec = wasmFormCodec()!;
  const pieces = codec.urlEncodeBase64(randomBytes(1000));
  expect(pieces).toHaveLength(1);
  expect(pieces[0]!.buffer.byteLength).toBeLessThan(64 * 1024);
});
