import { describe, expect, it } from "vitest";
import { json } from "../../src/server/http/reply.js";
import { Router, type Route } from "../../src/server/http/router.js";

const route = (method: Route["method"], path: string): Route => ({ method, path, scope: "runner", handle: async () => json(path) });
const router = new Router([route("GET", "storage/runner/:fileId"), route("POST", "storage/append"), route("GET", "runs/:runId"), route("POST", "runs/:runId/abort")]);

describe("Router", () => {
  it("matches literal segments and parameters", () => {
    const found = router.find("GET", ["storage", "runner", "abc.msh"]);
    expect(found.route.path).toBe("storage/runner/:fileId");
    expect(found.params.get("fileId")).toBe("abc.msh");
    expect(router.find("POST", ["runs", "r1", "abort"]).params.get("runId")).toBe("r1");
  });

  it("answers 404 for an unknown path and 405 with Allow for a wrong method", () => {
    expect(() => router.find("GET", ["storage", "other"])).toThrow(expect.objectContaining({ status: 404 }));
    expect(() => router.find("GET", ["storage", "runner"])).toThrow(expect.objectContaining({ status: 404 }));
    expect(() => router.find("PUT", ["storage", "append"])).toThrow(expect.objectContaining({ status: 405, headers: { Allow: "POST" } }));
  });

  it("checks every parameter as a safe segment: 400 naming it", () => {
    expect(() => router.find("GET", ["storage", "runner", ".."])).toThrow(expect.objectContaining({ status: 400, message: expect.stringContaining('"fileId"') }));
    expect(() => router.find("GET", ["storage", "runner", "a/b"])).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => router.find("GET", ["runs", ""])).toThrow(expect.objectContaining({ status: 400 }));
  });
});
