import http from "node:http";
import https from "node:https";
import type { Readable, Writable } from "node:stream";
import { bareHostname } from "./bare-hostname.js";
import { boundConnect } from "./connect-timeout.js";
import { proxyAuthorization, tunnelingAgent } from "./proxy-agent.js";
import { RESPONSE_TIMEOUT_CODE } from "./retry-policy.js";

export interface HttpOptions {
  /** The platform's address, ending with "/". */
  host: string;
  token: string;
  connectTimeoutMs: number;
  /** The longest silence on a connected socket while a request or its answer is under way. */
  responseTimeoutMs: number;
  /** The proxy to go through (see proxy-env.ts), if any. */
  proxy?: URL;
}

export interface HttpRequest {
  method: string;
  /** Relative to host, its segments already encoded. */
  path: string;
  headers?: Record<string, string>;
  /**
   * A stream is sent as it is read, a SelfWrittenBody writes itself; give `Content-Length` in
   * `headers` so either does not go chunked.
   */
  body?: Buffer | Readable | SelfWrittenBody;
  signal?: AbortSignal;
}

/**
 * A body that writes itself into the request (src/fs/file-range-body.ts): for bytes read into
 * buffers used again, which only the writer knows are free again. The request is ended after it.
 */
export interface SelfWrittenBody {
  writeTo(out: Writable): Promise<void>;
}

export function isSelfWritten(body: object): body is SelfWrittenBody {
  return typeof (body as Partial<SelfWrittenBody>).writeTo === "function";
}

export interface HttpAnswer {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** Must be consumed or destroyed. */
  body: Readable;
}

export interface Http {
  /** Settles with the answer's status and headers; its body is the caller's to read. Statuses are not judged here. */
  request(request: HttpRequest): Promise<HttpAnswer>;
  /** Closes the kept-alive sockets. */
  close(): void;
}

/**
 * node:http with kept-alive sockets, one per client, through an HTTP proxy when one is given. No redirects are followed, nothing is
 * decompressed (no Accept-Encoding is sent) and nothing is buffered: a body goes out as it is
 * read and an answer comes back as a stream. The connect phase has its own bound; after it,
 * `responseTimeoutMs` bounds silence on the socket, so a long upload or download is cut off
 * only when it stalls, never for taking long.
 */
export function createHttp(options: HttpOptions): Http {
  const base = new URL(options.host);
  const secure = base.protocol === "https:";
  const { proxy } = options;
  const send = secure ? https.request : http.request;
  const basePath = base.pathname;
  // https through a proxy: a CONNECT tunnel per connection, TLS inside it. http through a proxy:
  // each request goes to the proxy, naming the whole URL (absolute form), as HTTP proxies expect.
  const agent = secure
    ? proxy
      ? tunnelingAgent(proxy, options.connectTimeoutMs)
      : new https.Agent({ keepAlive: true })
    : new http.Agent({ keepAlive: true });
  const forwarded = proxy && !secure;
  const via = forwarded ? proxy : base;
  const hostname = bareHostname(via);
  const port = via.port || (via.protocol === "https:" ? 443 : 80);
  const pathPrefix = forwarded ? `${base.origin}${basePath}` : basePath;
  const proxyHeaders = forwarded ? { ...proxyAuthorization(proxy), host: base.host } : {};
  const auth = base.username ? `${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}` : undefined;

  return {
    request(request) {
      return new Promise<HttpAnswer>((resolve, reject) => {
        const req = send({
          agent,
          hostname,
          port,
          method: request.method,
          path: pathPrefix + request.path,
          headers: { ...request.headers, ...proxyHeaders, "auth-token": options.token },
          ...(auth ? { auth } : {}),
          ...(request.signal ? { signal: request.signal } : {}),
        });
        boundConnect(req, options.connectTimeoutMs);
        req.setTimeout(options.responseTimeoutMs, () => req.destroy(responseTimeoutError(options.responseTimeoutMs)));
        req.once("error", reject);
        req.once("response", (res) => {
          resolve({ status: res.statusCode ?? 0, headers: headersOf(res.rawHeaders), body: res });
        });
        const body = request.body;
        if (body === undefined || Buffer.isBuffer(body)) {
          req.end(body);
          return;
        }
        if (isSelfWritten(body)) {
          // A body that fails ends the request; a request that fails stops the body (it watches for "close").
          body.writeTo(req).then(
            () => req.end(),
            (error: unknown) => req.destroy(error as Error),
          );
          return;
        }
        // A body that fails ends the request; a request that fails stops reading the body.
        body.once("error", (error) => req.destroy(error));
        req.once("close", () => {
          if (!body.readableEnded) body.destroy();
        });
        body.pipe(req);
      });
    },
    close() {
      agent.destroy();
    },
  };
}

function headersOf(raw: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`;
  }
  return out;
}

function responseTimeoutError(ms: number): Error {
  return Object.assign(new Error(`no answer within ${ms} ms`), { code: RESPONSE_TIMEOUT_CODE });
}
