import { createReadStream } from "node:fs";
import type { ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";

/** What a route answers; the pipeline writes it. */
export type Reply =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; file: string; size: number; contentType: string; headers?: Record<string, string> }
  | { status: number; empty: true; headers?: Record<string, string> }
  /** A page or an asset held in memory. */
  | { status: number; body: string | Buffer; contentType: string; headers?: Record<string, string> }
  /** The route writes the body itself (Server-Sent Events); the status and headers are set first. */
  | { status: number; stream: (res: ServerResponse) => Promise<void>; headers?: Record<string, string> };

export function json(value: unknown, status = 200): Reply {
  return { status, json: value };
}

export async function writeReply(res: ServerResponse, reply: Reply, head: boolean): Promise<void> {
  res.statusCode = reply.status;
  res.setHeader("Cache-Control", "no-store");
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  if ("json" in reply) {
    const body = Buffer.from(JSON.stringify(reply.json));
    res.setHeader("Content-Type", "application/json; charset=utf-8");
    res.setHeader("Content-Length", body.length);
    res.end(head ? undefined : body);
    return;
  }
  if ("body" in reply) {
    const body = typeof reply.body === "string" ? Buffer.from(reply.body) : reply.body;
    res.setHeader("Content-Type", reply.contentType);
    res.setHeader("Content-Length", body.length);
    res.end(head ? undefined : body);
    return;
  }
  if ("stream" in reply) {
    if (head) {
      res.end();
      return;
    }
    await reply.stream(res);
    return;
  }
  if ("file" in reply) {
    res.setHeader("Content-Type", reply.contentType);
    res.setHeader("Content-Length", reply.size);
    if (head) {
      res.end();
      return;
    }
    // Streamed: a large file never sits in memory.
    await pipeline(createReadStream(reply.file), res);
    return;
  }
  res.end();
}
