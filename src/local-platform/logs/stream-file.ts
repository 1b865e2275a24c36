import { createReadStream } from "node:fs";
import type { Reply } from "../../server/index.js";
import { pipeline } from "node:stream/promises";

/**
 * A stored file's first `size` bytes, streamed. A live log grows while it is sent: reading up to the
 * size taken at the start keeps the body to its Content-Length.
 */
export function fileBytesReply(file: string, size: number, contentType: string, headers: Record<string, string> = {}): Reply {
  return {
    status: 200,
    headers: { "Content-Type": contentType, "Content-Length": String(size), ...headers },
    async stream(res) {
      if (size === 0) {
        res.end();
        return;
      }
      await pipeline(createReadStream(file, { start: 0, end: size - 1 }), res);
    },
  };
}
