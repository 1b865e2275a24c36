import type { ServerResponse } from "node:http";
import type { StubRequest } from "./http-stub.js";

/** Headers that belong to one connection, not to the request. */
const HOP = new Set(["host", "connection", "keep-alive", "content-length", "transfer-encoding", "content-encoding"]);

/**
 * For a front (startStub) before a real server at `serverUrl`: passes `req` on and its answer back;
 * returns the server's status, or 0 when the runner hung up first (it gave up: the request is
 * aborted at the server too). Plain requests only (no websocket).
 */
export async function passOn(serverUrl: string, req: StubRequest, res: ServerResponse): Promise<number> {
  const gone = new AbortController();
  res.once("close", () => gone.abort());
  const headers = Object.fromEntries(Object.entries(req.headers).flatMap(([k, v]) => (HOP.has(k) || v === undefined ? [] : [[k, String(v)]])));
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  try {
    const answer = await fetch(new URL(req.url.replace(/^\/+/, ""), serverUrl), { method: req.method, headers, signal: gone.signal, ...(hasBody ? { body: req.body } : {}) });
    const body = Buffer.from(await answer.arrayBuffer());
    const out: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (!HOP.has(name)) out[name] = value;
    });
    res.writeHead(answer.status, { ...out, "content-length": body.length });
    res.end(body);
    return answer.status;
  } catch (error) {
    if (!gone.signal.aborted) throw error;
    return 0;
  }
}
