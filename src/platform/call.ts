import type { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { abortErrorOf, PhysicsWorksError } from "../errors.js";
import type { FormCodec } from "../form-codec/form-codec.js";
import { BadAnswer } from "./answer-shape.js";
import { PlatformCallError } from "./call-error.js";
import { connectionReason, statusReason, type Timeouts } from "./failure-reason.js";
import type { Http, SelfWrittenBody } from "./http.js";
import { parseRetryAfter } from "./retry-after.js";
import { retryTransient, type RetryPolicy } from "./retry-policy.js";
import { withCheckedRetry, type RetryOptions } from "./retry.js";
import { redact } from "../log/redact.js";

/** What every call shares: one per client. */
export interface CallContext extends Timeouts {
  http: Http;
  token: string;
  /** v1's form bodies (base64 in url-encoded JSON). */
  forms: FormCodec;
  /** Resolved once (resolveRetryOptions); each call sets its policy and signal. */
  retry: RetryOptions;
  signal?: AbortSignal;
}

export type Method = "GET" | "PUT" | "POST" | "PATCH" | "HEAD";

export interface RequestBody {
  data: Buffer | Readable | SelfWrittenBody;
  contentType: string;
  /** Required for a stream, so it goes out with a Content-Length rather than chunked. */
  contentLength?: number;
}

export interface Answer<D> {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  data: D;
}

interface CallSpecBase {
  /** "update run": what the user reads in messages. */
  name: string;
  method: Method;
  /** Relative to host, its segments already encoded. */
  path: string;
  /** Called for every try: a stream cannot be sent twice. */
  body?: () => RequestBody;
  headers?: Record<string, string>;
  /** Statuses besides 2xx that `read` handles itself. */
  accept?: readonly number[];
  policy?: RetryPolicy;
  /** Overrides the client's tries (1 for a body that cannot be sent again). */
  tries?: number;
}

export interface TextCallSpec<T> extends CallSpecBase {
  stream?: false;
  /** `label` is the call as messages name it. */
  read(answer: Answer<string>, label: string): T | Promise<T>;
}

export interface StreamCallSpec<T> extends CallSpecBase {
  stream: true;
  /** Must consume or destroy the stream. */
  read(answer: Answer<Readable>, label: string): T | Promise<T>;
}

/**
 * One platform call: sent, retried as the policy says, its status judged and its answer read.
 * Whatever fails comes out as a PlatformCallError naming the call (or an AbortError), with the
 * token scrubbed and nothing of the request (its headers carry the token) attached.
 */
export async function call<T>(ctx: CallContext, spec: TextCallSpec<T> | StreamCallSpec<T>): Promise<T> {
  const label = `${spec.name} (${spec.method} ${spec.path})`;
  const policy = spec.policy ?? retryTransient;
  let attempts = 0;
  try {
    return await withCheckedRetry(
      async (attempt) => {
        attempts = attempt;
        try {
          return await tryOnce(ctx, spec, label);
        } catch (error) {
          throw toCallError(ctx, label, error);
        }
      },
      { ...ctx.retry, policy, ...(ctx.signal ? { signal: ctx.signal } : {}), ...(spec.tries !== undefined ? { tries: spec.tries } : {}) },
    );
  } catch (error) {
    if (attempts > 1 && error instanceof PlatformCallError && policy(error).retry) {
      throw new PlatformCallError(label, `${error.reason} (gave up after ${attempts} tries)`, {
        ...(error.status !== undefined ? { status: error.status } : {}),
        ...(error.cause instanceof Error ? { cause: error.cause } : {}),
        // A caller that tries again itself (a live file sent again) waits as the last answer asked.
        ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
        secrets: [ctx.token],
      });
    }
    throw error;
  }
}

async function tryOnce<T>(ctx: CallContext, spec: TextCallSpec<T> | StreamCallSpec<T>, label: string): Promise<T> {
  const body = spec.body?.();
  const headers: Record<string, string> = { ...spec.headers };
  if (body) {
    headers["content-type"] = body.contentType;
    const length = body.contentLength ?? (Buffer.isBuffer(body.data) ? body.data.length : undefined);
    if (length !== undefined) headers["content-length"] = String(length);
  }
  const answer = await ctx.http.request({
    method: spec.method,
    path: spec.path,
    headers,
    ...(body ? { body: body.data } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  const ok = (answer.status >= 200 && answer.status < 300) || (spec.accept ?? []).includes(answer.status);
  if (spec.stream) {
    if (!ok) throw statusError(ctx, label, answer.status, answer.headers, await readSnippet(answer.body));
    return spec.read({ status: answer.status, headers: answer.headers, data: answer.body }, label);
  }
  const answerText = await text(answer.body);
  if (!ok) throw statusError(ctx, label, answer.status, answer.headers, answerText);
  return spec.read({ status: answer.status, headers: answer.headers, data: answerText }, label);
}

function statusError(
  ctx: CallContext,
  label: string,
  status: number,
  headers: Record<string, string>,
  body: string,
): PlatformCallError {
  const retryAfterMs = parseRetryAfter(headers["retry-after"]);
  // Redacted before the reason cuts the answer short: a token cut in two would no longer be found.
  return new PlatformCallError(label, statusReason(status, headers["content-type"] ?? "", redact(body, [ctx.token]), ctx.origin), {
    status,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    secrets: [ctx.token],
  });
}

function toCallError(ctx: CallContext, label: string, error: unknown): Error {
  if (ctx.signal?.aborted) return abortErrorOf(ctx.signal);
  if (error instanceof PhysicsWorksError) return error;
  const secrets = [ctx.token];
  if (error instanceof BadAnswer) {
    return new PlatformCallError(label, error.message, {
      ...(error.status !== undefined ? { status: error.status } : {}),
      secrets,
    });
  }
  // The cause keeps only message and code, never anything of the request.
  const cause = error instanceof Error ? error : new Error(String(error));
  return new PlatformCallError(label, connectionReason(error, ctx), { cause, secrets });
}

/** The start of an error answer's body, for the message; the rest is dropped. */
async function readSnippet(stream: Readable, max = 4096): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      chunks.push(buffer);
      size += buffer.length;
      if (size >= max) break;
    }
  } catch {
    // The status says enough.
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, max).toString("utf8");
}
