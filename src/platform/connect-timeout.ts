import type { ClientRequest } from "node:http";
import type { Socket } from "node:net";
import { CONNECT_TIMEOUT_CODE } from "./retry-policy.js";

/**
 * Bounds a request's connect phase on its own, so that the request's socket timeout
 * (ClientRequest#setTimeout) only measures silence on a connected socket: a large upload
 * or download is not cut off for taking long, only for stalling. A kept-alive socket is
 * already connected and is not timed.
 */
export function boundConnect(req: ClientRequest, connectTimeoutMs: number): void {
  req.once("socket", (socket: Socket) => {
    if (!socket.connecting) return;
    const timer = setTimeout(() => socket.destroy(connectTimeoutError(connectTimeoutMs)), connectTimeoutMs);
    const clear = () => clearTimeout(timer);
    socket.once("connect", clear);
    socket.once("close", clear);
  });
}

export function connectTimeoutError(ms: number): Error {
  return Object.assign(new Error(`could not connect within ${ms} ms`), { code: CONNECT_TIMEOUT_CODE });
}
