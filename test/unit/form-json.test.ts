import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DecodedBase64 } from "../../src/form-codec/decoded-base64.js";
import { createFormCodec } from "../../src/form-codec/form-codec.js";
import { jsFormCodec } from "../../src/form-codec/js-form-codec.js";
import { parseFormJsonAround } from "../../src/server/http/form-json.js";

/** The form of `json`, in pieces as a socket may give them: the first shorter than "json=", then of assorted sizes. */
function form(json: string): Buffer[] {
  const body = Buffer.from(`json=${new URLSearchParams({ v: json }).toString().slice(2)}`, "latin1");
  const pieces: Buffer[] = [];
  for (let at = 0, size = 3; at < body.length; at += size, size = (size * 7) % 61 + 1) pieces.push(body.subarray(at, at + size));
  return pieces;
}
/** Python's json.dumps separators (", " and ": "), which the Python runner sends. */
const pythonStyle = (value: unknown) => JSON.stringify(value).replace(/","/g, '", "').replace(/":/g, '": ');
const isBase64 = (text: unknown) => typeof text === "string" && text.length % 4 !== 1 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);
/** JSON.parse's result with its top-level chunk decoded, as parseFormJsonAround gives it (see bytesOf). */
function decodedChunk(text: string): unknown {
  const json = JSON.parse(text) as { chunk: unknown };
  expect(isBase64(json.chunk), text).toBe(true);
  return { ...json, chunk: Buffer.from(json.chunk as string, "base64") };
}
/** parseFormJsonAround's result with its DecodedBase64 as the bytes it holds. */
function bytesOf(parsed: unknown): unknown {
  const chunk = (parsed as { chunk: unknown }).chunk;
  expect(chunk).toBeInstanceOf(DecodedBase64);
  return { ...(parsed as object), chunk: (chunk as DecodedBase64).bytes };
}

describe.each([createFormCodec(), jsFormCodec])("parseFormJsonAround with the $kind codec", (codec) => {
  it("parses a v1 chunk's form around its base64, ours and the Python runner's, to what JSON.parse gives", () => {
    const chunk = { filename: "a b+c/ü&=.bin", fileSize: 9, chunkIndex: 0, metadata: { project: "p", path: "files/x y.bin" }, chunk: randomBytes(3000).toString("base64") };
    for (const text of [JSON.stringify(chunk), pythonStyle(chunk), JSON.stringify({ chunk: chunk.chunk, filename: "f" })]) {
      const parsed = parseFormJsonAround(codec, form(text), "json", "chunk");
      expect(parsed, text.slice(0, 60)).toBeDefined();
      expect(bytesOf(parsed)).toEqual(decodedChunk(text));
    }
  });

  it("is never fooled by a nested key, a key inside a string, a repeated key or an escaped value", () => {
    const cases = [
      '{"x":{"chunk":"AAAA"},"chunk":"BBBB"}',
      '{"x":{"chunk":"AAAA"}}',
      '{"x":["chunk","AAAA"],"chunk":"BBBB"}',
      '{"\\"chunk":"AAAA","chunk":"BBBB"}',
      '{"a":"\\"chunk\\":\\"AAAA","chunk":"BBBB"}',
      '{"chunk":"AAAA","chunk":"BBBB"}',
      '{"chunk":"AA\\/A"}',
      '{"chunk":"AA\\u0041A"}',
      '{"chunk":"AAAA","x":"#00000000-0000-0000-0000-000000000000"}',
      '{"chunk":5}',
      '["chunk","AAAA"]',
      '{"chunk":"AAAA"',
      '{"chunk":"AAAA"}}',
      '{"chunk" : "AAAA"}',
      '{"chunk"\n:\t"AAAA"}',
      '{"chunk":"ü"}',
      '{"chunk":"AAAA","ü":"€"}',
      // Plain but not base64: left to the plain path, whose check refuses it.
      '{"chunk":"AA A"}',
      '{"chunk":"AAAAA"}',
      '{"chunk":"AA=A"}',
      // The same inside a 16-byte block rather than in the tail.
      `{"chunk":"${"A".repeat(40)}\\/${"A".repeat(40)}"}`,
      `{"chunk":"${"A".repeat(40)}\\u0041${"A".repeat(40)}"}`,
      `{"chunk":"${"A".repeat(40)}ü${"A".repeat(40)}"}`,
      `{"chunk":"${"A".repeat(40)}\t${"A".repeat(40)}"}`,
    ];
    for (const text of cases) {
      const parsed = parseFormJsonAround(codec, form(text), "json", "chunk");
      let expected: unknown;
      try {
        expected = JSON.parse(text);
      } catch {
        expect(parsed, text).toBeUndefined();
        continue;
      }
      if (parsed !== undefined) expect(bytesOf(parsed), text).toEqual(decodedChunk(text));
      if (!isBase64((expected as { chunk?: unknown } | undefined)?.chunk)) expect(parsed, text).toBeUndefined();
    }
  });

  it("gives what JSON.parse gives, or nothing, for random objects with chunk keys here and there", () => {
    const key = fc.constantFrom("chunk", "filename", "x", '"chunk":"', "chunk ", "ü");
    const leaf = fc.oneof(
      fc.base64String({ maxLength: 40 }),
      fc.string({ maxLength: 12 }),
      fc.constantFrom('"chunk":"AAAA"', "\\", '"', "€"),
      fc.integer(),
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small" }, leaf, fc.dictionary(key, tie("node"), { maxKeys: 3 }), fc.array(tie("node"), { maxLength: 3 })),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 5 }), fc.boolean(), (object, python) => {
        const text = python ? pythonStyle(object) : JSON.stringify(object);
        const parsed = parseFormJsonAround(codec, form(text), "json", "chunk");
        if (parsed !== undefined) expect(bytesOf(parsed)).toEqual(decodedChunk(text));
        if (isBase64(object.chunk) && text.startsWith('{"chunk"')) {
          // The top-level chunk comes first and is base64: nothing stands in the way.
          expect(parsed, text).toBeDefined();
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("leaves other bodies, and bodies with raw bytes past ASCII, to the plain path", () => {
    expect(parseFormJsonAround(codec, [Buffer.from('a=1&json={"chunk":"AAAA"}')], "json", "chunk")).toBeUndefined();
    expect(parseFormJsonAround(codec, [Buffer.from('json={"chunk":"AAAA"}'), Buffer.from("&a=1")], "json", "chunk")).toBeUndefined();
    expect(parseFormJsonAround(codec, [Buffer.from('json={"chunk":"AAAA","f":"ü"}', "utf8")], "json", "chunk")).toBeUndefined();
    expect(parseFormJsonAround(codec, [], "json", "chunk")).toBeUndefined();
  });
});

describe("a decoded chunk's memory (WebAssembly codec)", () => {
  const codec = createFormCodec();
  const chunkOf = (bytes: Buffer) => parseFormJsonAround(codec, form(JSON.stringify({ filename: "f", chunk: bytes.toString("base64") })), "json", "chunk") as { chunk: DecodedBase64 };

  it("is reused for the next chunk once released (twice is once), and never while it is held", () => {
    const first = chunkOf(randomBytes(2_000_000)).chunk;
    const held = chunkOf(randomBytes(2_000_000)).chunk;
    const heldCopy = Buffer.from(held.bytes);
    first.release();
    first.release();
    const secondBytes = randomBytes(2_000_000);
    const third = chunkOf(randomBytes(2_000_000)).chunk;
    const second = chunkOf(secondBytes).chunk;
    expect([second.bytes.buffer, third.bytes.buffer]).toContain(first.bytes.buffer);
    expect(second.bytes.buffer).not.toBe(third.bytes.buffer);
    expect(second.bytes.equals(secondBytes)).toBe(true);
    expect(held.bytes.equals(heldCopy)).toBe(true);
  });
});
