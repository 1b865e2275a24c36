import type { Readable } from "node:stream";
import type { RequestBody } from "./call.js";
import type { StreamBody } from "./form-body.js";
import type { SelfWrittenBody } from "./http.js";

export function jsonBody(value: unknown): () => RequestBody {
  const data = Buffer.from(JSON.stringify(value));
  return () => ({ data, contentType: "application/json" });
}

export function formBody(form: StreamBody): () => RequestBody {
  return () => ({ data: form.stream(), contentType: "application/x-www-form-urlencoded", contentLength: form.length });
}

export function octetBody(make: () => Buffer | Readable | SelfWrittenBody, length: number): () => RequestBody {
  return () => ({ data: make(), contentType: "application/octet-stream", contentLength: length });
}

/** A path relative to host, each segment encoded. */
export function pathOf(...segments: string[]): string {
  return segments.map(encodeURIComponent).join("/");
}
