import { describe, expect, it } from "vitest";
import { createFormCodec } from "../../src/form-codec/form-codec.js";
import { jsFormCodec } from "../../src/form-codec/js-form-codec.js";
import { decodedLength } from "../../src/server/validate/base64.js";
import { resultsBodyOf, updateRunBodyOf } from "../../src/server/validate/run-bodies.js";
import { appendBodyOf, chunkBodyOf } from "../../src/server/validate/storage-bodies.js";
import { openUploadBodyOf, uploadOffsetOf } from "../../src/server/validate/upload-bodies.js";

const metadata = { project: "p", owner: "o", originalname: "a.log", resource: "job", resourceKind: "Run", simulation: "s" };
const append = { filename: "a.log", chunk: "aGVsbG8=", isNew: false, isAscii: true, metadata };

const message = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return { status: (error as { status: number }).status, message: (error as Error).message };
  }
  throw new Error("did not throw");
};

describe.each([createFormCodec(), jsFormCodec])("storage bodies, base64 checked by the $kind codec", (forms) => {
  it("decodes an append, filing it under the resource when there is no runId", () => {
    const { body, bytes } = appendBodyOf(append, 100, forms);
    expect(bytes.toString()).toBe("hello");
    expect(body).toEqual({ filename: "a.log", isNew: false, isAscii: true, metadata });
  });

  it("names the call and the field", () => {
    expect(message(() => appendBodyOf({ ...append, isNew: 1 }, 100, forms))).toEqual({ status: 400, message: 'storage/append: "isNew" must be true or false (got number)' });
    expect(message(() => appendBodyOf({ ...append, metadata: { ...metadata, owner: null } }, 100, forms)).message).toBe(
      'storage/append: "metadata.owner" must be a string (got null)',
    );
    expect(message(() => chunkBodyOf({ ...append, fileSize: -1, chunkIndex: 0 }, 100, forms)).message).toContain('"fileSize" must be an integer ≥ 0');
    expect(message(() => chunkBodyOf({ ...append, fileSize: 5, chunkIndex: 1.5 }, 100, forms)).message).toContain('"chunkIndex"');
    expect(message(() => appendBodyOf([], 100, forms)).message).toBe('storage/append: form field "json" must be a JSON object (got an array)');
  });

  it("refuses a chunk over the limit with 413 before decoding, and text that is not base64 with 400", () => {
    expect(message(() => appendBodyOf({ ...append, chunk: "A".repeat(200) }, 100, forms)).status).toBe(413);
    expect(message(() => appendBodyOf({ ...append, chunk: "ab$d" }, 100, forms)).status).toBe(400);
    expect(message(() => appendBodyOf({ ...append, chunk: "abcde" }, 100, forms)).status).toBe(400);
    expect(message(() => appendBodyOf({ ...append, chunk: "aGVs=bG8" }, 100, forms)).status).toBe(400);
    expect(message(() => appendBodyOf({ ...append, chunk: "aGVsbG8-" }, 100, forms)).status).toBe(400);
    // "Ł" is U+0141: written as latin1 it would be "A".
    expect(message(() => appendBodyOf({ ...append, chunk: "aGVsbG8Ł" }, 100, forms)).status).toBe(400);
    expect(message(() => appendBodyOf({ ...append, chunk: `${"QUJD".repeat(20)}Ł===` }, 100, forms)).status).toBe(400);
  });

  it("takes canonical base64 and also unpadded or non-canonical base64, decoded the same", () => {
    for (const chunk of ["aGVsbG8=", "aGVsbG8", "aGVsbG9=", "+/+/", ""]) {
      expect(appendBodyOf({ ...append, chunk }, 100, forms).bytes, chunk).toEqual(Buffer.from(chunk, "base64"));
    }
  });

  it("knows the decoded length from the text", () => {
    for (const size of [0, 1, 2, 3, 4, 5, 100]) {
      const text = Buffer.alloc(size).toString("base64");
      expect(decodedLength(text)).toBe(size);
      expect(decodedLength(text.replace(/=+$/, ""))).toBe(size);
    }
  });
});

describe("run bodies", () => {
  const node = { id: "r1", name: "Run 1", children: [], status: "running", progress: 5 };
  it("takes a node with the run's id", () => {
    expect(updateRunBodyOf({ node, extras: { gltf: "g" } }, "r1")).toEqual({ node, extras: { gltf: "g" } });
  });
  it("refuses another id, a bad status or a bad progress", () => {
    expect(message(() => updateRunBodyOf({ node }, "r2")).message).toContain('"node.id" must be the run\'s id "r2"');
    expect(message(() => updateRunBodyOf({ node: { ...node, status: "done" } }, "r1")).message).toContain('"node.status"');
    expect(message(() => updateRunBodyOf({ node: { ...node, progress: "5" } }, "r1")).message).toContain('"node.progress"');
    expect(message(() => updateRunBodyOf({ node: "x" }, "r1")).message).toContain('"node" must be an object');
  });
  it("checks each result's value against its type", () => {
    expect(resultsBodyOf({ results: [{ name: "a", type: "scalar", value: "1.5e3" }, { name: "b", type: "boolean", value: "TRUE" }] })).toHaveLength(2);
    expect(message(() => resultsBodyOf({ results: [{ name: "a", type: "boolean", value: 1 }] })).message).toContain('"results[0].value"');
    expect(message(() => resultsBodyOf({ results: [{ name: "", type: "ascii", value: "x" }] })).message).toContain('"results[0].name"');
    expect(message(() => resultsBodyOf({ results: {} })).message).toContain('"results" must be an array');
  });
});

describe("upload bodies", () => {
  it("takes the digest in any case and keeps it in lower case", () => {
    const body = openUploadBodyOf({ filename: "x.zip", size: 3, sha256: "AB".repeat(32), metadata: { ...metadata, runId: "r1" } });
    expect(body.sha256).toBe("ab".repeat(32));
  });
  it("reads Upload-Offset strictly", () => {
    expect(uploadOffsetOf("42")).toBe(42);
    for (const bad of [undefined, "", "-1", "1.5", "0x10", "1e3"]) expect(() => uploadOffsetOf(bad)).toThrow(/Upload-Offset/);
  });
});
