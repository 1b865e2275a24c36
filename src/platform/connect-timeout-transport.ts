import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import { CONNECT_TIMEOUT_CODE } from "./retry-policy.js";

type OnResponse = (res: http.IncomingMessage) => void;

/**
 * An axios `transport` that bounds the connect phase on its own. axios' `timeout` then
 * only measures silence on a connected socket (ClientRequest#setTimeout), so a large upload
 * or download is not cut off for taking long, only for stalling. axios' own native transport
 * (maxRedirects: 0) would instead start a wall-clock timer covering the whole upload.
 */
export function connectTimeoutTransport(connectTimeoutMs: number) {
  return {
    request(options: http.RequestOptions, onResponse: OnResponse): http.ClientRequest {
      const module = options.protocol === "https:" ? https : http;
      const req = module.request(options, onResponse);
      req.once("socket", (socket: Socket) => {
        // A kept-alive socket is already connected.
        if (!socket.connecting) return;
        const timer = setTimeout(() => socket.destroy(connectTimeoutError(connectTimeoutMs)), connectTimeoutMs);
        const clear = () => clearTimeout(timer);
        socket.once("connect", clear);
        socket.once("close", clear);
      });
      return req;
    },
  };
}

function connectTimeoutError(ms: number): Error {
  return Object.assign(new Error(`could not connect within ${ms} ms`), { code: CONNECT_TIMEOUT_CODE });
}
