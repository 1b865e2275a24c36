import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  PlatformCallError,
  UploadOffsetConflict,
  type UploadMetadata,
} from "../../src/platform/index.js";
import { sendJson } from "../helpers/http-stub.js";
import { useStubClients } from "../helpers/stub-client.js";

const metadata: UploadMetadata = {
  project: "proj",
  owner: "me",
  originalname: "result.zip",
  resource: "job1",
  resourceKind: "Run",
  simulation: "sim1",
  path: "files/result.zip",
  runId: "run9",
};

const { serve } = useStubClients({ responseTimeoutMs: 5000 });

/** 1 MiB of random bytes, made to contain runs whose base64 is "+", "/" and "=" padding. */
function awkwardBytes(): Buffer {
  const bytes = randomBytes(1024 * 1024 + 1); // not a multiple of 3: "=" padding at the end
  bytes.fill(0xfb, 0, 300); // base64 "+++"…
  bytes.fill(0xff, 300, 600); // base64 "////"…
  return bytes;
}

describe("v1 form uploads", () => {
  it("uploadChunk: the server parses `json` from the urlencoded body and gets the exact base64, with a right Content-Length", async () => {
    const { stub, client } = await serve((_req, res) => sendJson(res, 200, {}));
    const bytes = awkwardBytes();
    const base64 = bytes.toString("base64");
    expect(base64).toMatch(/\+/);
    expect(base64).toMatch(/\//);
    expect(base64).toMatch(/=$/);

    await client.uploadChunk({ filename: "u1.zip", fileSize: bytes.length, chunkIndex: 0, bytes, metadata });

    const req = stub.requests[0]!;
    expect(req.method).toBe("POST");
    expect(req.url).toBe("/storage/chunks");
    expect(req.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(req.headers["transfer-encoding"]).toBeUndefined();
    expect(Number(req.headers["content-length"])).toBe(req.body.length);
    const json = JSON.parse(new URLSearchParams(req.body.toString("latin1")).get("json")!) as Record<string, unknown>;
    expect(json).toEqual({ filename: "u1.zip", fileSize: bytes.length, chunkIndex: 0, metadata, chunk: base64 });
  });

  it("appendFile: the same form, and a retry sends the whole body again", async () => {
    const { stub, client } = await serve((req, res) => (req.index === 0 ? sendJson(res, 503, {}) : sendJson(res, 200, {})));
    const bytes = randomBytes(100_000);
    await client.appendFile({ filename: "u2.log", bytes, isNew: true, metadata, isAscii: false });
    expect(stub.requests).toHaveLength(2);
    for (const req of stub.requests) {
      expect(req.url).toBe("/storage/append");
      expect(Number(req.headers["content-length"])).toBe(req.body.length);
      const json = JSON.parse(new URLSearchParams(req.body.toString("latin1")).get("json")!) as Record<string, unknown>;
      expect(json).toEqual({ filename: "u2.log", isNew: true, metadata, isAscii: false, chunk: bytes.toString("base64") });
    }
  });
});

describe("capabilities", () => {
  it("404 means a v1-only server", async () => {
    const { stub, client } = await serve((_req, res) => sendJson(res, 404, { message: "Cannot GET /runner/capabilities" }));
    expect(await client.capabilities()).toEqual({ uploads: ["v1"], events: [] });
    expect(stub.requests).toHaveLength(1);
    expect(stub.requests[0]?.url).toBe("/runner/capabilities");
  });

  it("a platform that predates the call, whatever it answers for an unknown path, is v1-only", async () => {
    const answers: [number, string, string][] = [
      [200, "text/html", "<!doctype html><html><body>app</body></html>"],
      [200, "application/json", JSON.stringify({ ok: true })],
      [403, "application/json", JSON.stringify({ message: "Forbidden" })],
      [400, "text/plain", "Bad Request"],
    ];
    for (const [status, type, body] of answers) {
      const { client } = await serve((_req, res) => void res.writeHead(status, { "content-type": type }).end(body));
      expect(await client.capabilities(), `${status} ${type}`).toEqual({ uploads: ["v1"], events: [] });
    }
  });

  it("reads a v2 server's answer", async () => {
    const { client } = await serve((_req, res) => sendJson(res, 200, { uploads: ["v1", "v2"], events: ["socket.io"] }));
    expect(await client.capabilities()).toEqual({ uploads: ["v1", "v2"], events: ["socket.io"] });
  });
});

describe("v2 resumable uploads", () => {
  it("open, send, ask, complete", async () => {
    const { stub, client } = await serve((req, res) => {
      if (req.method === "POST" && req.url === "/storage/uploads") return sendJson(res, 200, { uploadId: "up1", offset: 0 });
      if (req.method === "PATCH") {
        return sendJson(res, 200, { offset: Number(req.headers["upload-offset"]) + req.body.length });
      }
      if (req.method === "HEAD") {
        res.writeHead(200, { "upload-offset": "7" });
        return void res.end();
      }
      sendJson(res, 200, { sha256: "abc", size: 7 });
    });
    expect(await client.openUpload({ filename: "f.zip", size: 7, sha256: "abc", metadata })).toEqual({ uploadId: "up1", offset: 0 });
    expect(await client.sendUploadBytes("up1", 0, Buffer.from("1234"), 4)).toEqual({ offset: 4 });
    expect(await client.sendUploadBytes("up1", 4, () => Readable.from([Buffer.from("567")]), 3)).toEqual({ offset: 7 });
    expect(await client.uploadOffset("up1")).toBe(7);
    expect(await client.completeUpload("up1")).toEqual({ sha256: "abc", size: 7 });

    const [open, first, second, head, complete] = stub.requests;
    expect(JSON.parse(open!.body.toString())).toEqual({ filename: "f.zip", size: 7, sha256: "abc", metadata });
    expect(first?.headers["content-type"]).toBe("application/octet-stream");
    expect(first?.headers["upload-offset"]).toBe("0");
    expect(second?.headers["upload-offset"]).toBe("4");
    expect(second?.headers["content-length"]).toBe("3");
    expect(second?.body.toString()).toBe("567");
    expect(head?.method).toBe("HEAD");
    expect(complete?.url).toBe("/storage/uploads/up1/complete");
  });

  it("409: an UploadOffsetConflict carrying the platform's offset, not retried", async () => {
    const { stub, client } = await serve((_req, res) => sendJson(res, 409, { offset: 1234 }));
    const error = await client.sendUploadBytes("up1", 0, Buffer.alloc(10), 10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UploadOffsetConflict);
    expect(error).toBeInstanceOf(PlatformCallError);
    expect((error as UploadOffsetConflict).offset).toBe(1234);
    expect((error as UploadOffsetConflict).status).toBe(409);
    expect((error as Error).message).toMatch(/^send bytes of upload up1 \(PATCH storage\/uploads\/up1\): the platform holds 1234 bytes/);
    expect(stub.requests).toHaveLength(1);
  });

  it("a stream factory is called again for a retry; a bare stream gets one try", async () => {
    const { stub, client } = await serve((req, res) => (req.index % 2 === 0 ? sendJson(res, 503, {}) : sendJson(res, 200, { offset: 5 })));
    let opened = 0;
    const factory = () => {
      opened++;
      return Readable.from([Buffer.from("hello")]);
    };
    expect(await client.sendUploadBytes("up1", 0, factory, 5)).toEqual({ offset: 5 });
    expect(opened).toBe(2);
    expect(stub.requests.map((r) => r.body.toString())).toEqual(["hello", "hello"]);

    const error = await client.sendUploadBytes("up1", 0, Readable.from([Buffer.from("hello")]), 5).catch((e: unknown) => e);
    expect((error as PlatformCallError).status).toBe(503);
    expect(stub.requests).toHaveLength(3);
  });

  it("a slow but steady upload is not cut off: the response timeout measures silence, not the whole request", async () => {
    const { client } = await serve((req, res) => sendJson(res, 200, { offset: req.body.length }), { responseTimeoutMs: 300, retry: { tries: 1 } });
    async function* slow() {
      for (let i = 0; i < 8; i++) {
        await new Promise((r) => setTimeout(r, 100));
        yield Buffer.alloc(1000, i);
      }
    }
    const started = Date.now();
    expect(await client.sendUploadBytes("up1", 0, () => Readable.from(slow()), 8000)).toEqual({ offset: 8000 });
    expect(Date.now() - started).toBeGreaterThan(600);
  });

  it("422 on complete: a digest mismatch", async () => {
    const { client } = await serve((_req, res) => sendJson(res, 422, { message: "sha256 mismatch" }));
    const error = await client.completeUpload("up1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformCallError);
    expect((error as PlatformCallError).status).toBe(422);
    expect((error as Error).message).toMatch(/^complete upload up1 \(POST storage\/uploads\/up1\/complete\): digest mismatch/);
  });

  it("HEAD without Upload-Offset is a clear error", async () => {
    const { client } = await serve((_req, res) => void res.end());
    await expect(client.uploadOffset("up1")).rejects.toThrow(/without a valid Upload-Offset header \(got none\)/);
  });
});
