/**
 * `GET api/v1/jobs/{id}/logs/stream`: the job's stored main.log as Server-Sent Events, then its new
 * lines as the runner's live appends make the stored file grow, the job's changes as `status`, and
 * `end` once the job has ended and its log has been read to the end.
 */
import type { ServerResponse } from "node:http";
import type { PlatformDeps } from "../platform-deps.js";
import { ENDED_STATUSES, type Job } from "../platform-types.js";
import { LogFramer } from "./log-framer.js";
import { readNewBytes } from "./read-new-bytes.js";
import { sseComment, sseJson } from "./sse-frame.js";
import { MAIN_LOG, storedOutput } from "./stored-output.js";

export interface FollowLogOptions {
  /** How often the stored log's size is looked at (default 250 ms). */
  pollMs?: number;
  /** A `: ping` comment this often, so proxies keep the connection (default 15 s). */
  pingMs?: number;
  /** Bytes read from the log per step (default 256 KiB). */
  readBytes?: number;
  /** A line longer than this is sent in pieces (default 1 MiB). */
  maxLineBytes?: number;
}

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "Content-Type": "text/event-stream; charset=utf-8",
  // nginx and the like would otherwise hold the events back in their buffers.
  "X-Accel-Buffering": "no",
};

export async function followJobLog(deps: PlatformDeps, first: Job, res: ServerResponse, options: FollowLogOptions = {}): Promise<void> {
  const pollMs = options.pollMs ?? 250;
  const readBytes = options.readBytes ?? 256 * 1024;
  const framer = new LogFramer(options.maxLineBytes);
  let job = first;
  let closed = false;
  let wake = (): void => {};

  // Listening starts before the job is read again, so that no change falls between the two.
  const stopListening = deps.events.on((changed) => {
    if (changed.id !== job.id || closed) return;
    job = changed;
    res.write(sseJson("status", changed));
    wake();
  });
  const onClose = (): void => {
    closed = true;
    wake();
  };
  res.once("close", onClose);
  // Every write is behind `closed`: a write after res.end() is an 'error' event nobody listens to.
  const ping = setInterval(() => closed || res.write(sseComment("ping")), options.pingMs ?? 15_000);
  ping.unref();

  const send = async (text: string): Promise<void> => {
    if (!closed && !res.write(text)) await drainOrClose(res);
  };

  try {
    res.flushHeaders();
    job = deps.db.getJob(job.id) ?? job;
    res.write(sseJson("status", job));
    let file: string | undefined;
    let offset = 0;
    while (!closed) {
      // Taken before reading: a job seen ended here has no more log to come once this read is done.
      const ended = ENDED_STATUSES.includes(job.status);
      file ??= (await storedOutput(deps, deps.db.getJob(job.id) ?? job, MAIN_LOG))?.file;
      while (file && !closed) {
        const bytes = await readNewBytes(file, offset, readBytes);
        if (bytes.length === 0) break;
        offset += bytes.length;
        for (const frame of framer.push(bytes)) await send(frame);
      }
      if (closed) return;
      if (ended) {
        for (const frame of framer.end()) await send(frame);
        await send(sseJson("end", job));
        closed = true;
        res.end();
        return;
      }
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          wake = () => {};
          resolve();
        };
        const timer = setTimeout(done, pollMs);
        wake = done;
      });
    }
  } finally {
    closed = true;
    stopListening();
    clearInterval(ping);
    wake();
    res.off("close", onClose);
  }
}

function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
