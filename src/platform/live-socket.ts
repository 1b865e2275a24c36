import type { Agent } from "node:http";
import { io, type Socket } from "socket.io-client";
import { CLIENT_DEFAULTS } from "./client.js";
import { plainTunnelingAgent, tunnelingAgent } from "./proxy-agent.js";
import type { RunLogEvent, RunStatus, RunStatusEvent } from "./types.js";

export interface LiveSocketOptions {
  host: string;
  token: string;
  runId: string;
  onAbort: () => void;
  /** Lines are batched: at most one run:log per interval (default 500 ms). */
  logIntervalMs?: number;
  /** Lines kept while disconnected or between sends; older ones are dropped (the log file has them all). */
  maxPendingLines?: number;
  /** The HTTP proxy the platform calls go through (PlatformClient.proxy): the socket goes there too, in a CONNECT tunnel. */
  proxy?: URL;
}

export interface LiveSocket {
  status(status: RunStatus, progress: number, statusLabel: string): void;
  log(line: string): void;
  close(): Promise<void>;
}

/**
 * Live control (protocol.md part 4): joins the run's room, emits run:status and run:log, obeys
 * run:abort. socket.io reconnects by itself and the room is joined again on every connect.
 */
export function connectLiveSocket(options: LiveSocketOptions): LiveSocket {
  const host = new URL(options.host);
  const agent = options.proxy ? proxyAgent(host, options.proxy) : undefined;
  const socket: Socket = io(host.origin, {
    path: `${host.pathname.replace(/\/$/, "")}/socket.io`,
    auth: { token: options.token },
    // engine.io hands the agent to ws in Node; its typings only know a browser's string or boolean.
    ...(agent ? { agent: agent as unknown as string } : {}),
    transports: ["websocket"],
    reconnection: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 10_000,
  });
  const { runId } = options;
  socket.on("connect", () => socket.emit("join", { runId }));
  socket.on("run:abort", (event: { runId?: string } | undefined) => {
    if (!event?.runId || event.runId === runId) options.onAbort();
  });
  // A refused or lost socket is not the run's problem: the HTTP protocol carries everything that matters.
  socket.on("connect_error", () => undefined);

  const maxPending = options.maxPendingLines ?? 1000;
  let pending: string[] = [];
  const flushLogs = () => {
    if (pending.length === 0 || !socket.connected) return;
    const event: RunLogEvent = { runId, lines: pending };
    pending = [];
    socket.emit("run:log", event);
  };
  const timer = setInterval(flushLogs, options.logIntervalMs ?? 500);
  timer.unref();

  return {
    status(status, progress, statusLabel) {
      const event: RunStatusEvent = { runId, status, progress, statusLabel };
      if (socket.connected) socket.emit("run:status", event);
    },
    log(line) {
      pending.push(line);
      if (pending.length > maxPending) pending = pending.slice(-maxPending);
    },
    async close() {
      clearInterval(timer);
      flushLogs();
      await written(socket, LAST_EMITS_MS);
      socket.close();
    },
  };
}

/**
 * The WebSocket's connection through the proxy: a CONNECT tunnel, for an http:// platform too
 * (whose plain calls go to the proxy in absolute form, which an upgrade cannot).
 */
function proxyAgent(host: URL, proxy: URL): Agent {
  const { connectTimeoutMs } = CLIENT_DEFAULTS;
  return host.protocol === "https:" ? tunnelingAgent(proxy, connectTimeoutMs) : plainTunnelingAgent(proxy, connectTimeoutMs);
}

/** The longest wait for the last emits to leave before the socket closes. */
const LAST_EMITS_MS = 50;

/**
 * Settles once what was emitted has been written to the connection (engine.io's write buffer is
 * empty, at once when it already is), or after `maxMs`: the run's end is not held up by a
 * fixed pause, nor by a socket that has stalled.
 */
function written(socket: Socket, maxMs: number): Promise<void> {
  const engine = socket.io.engine;
  if (!socket.connected || !engine || engine.writeBuffer.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      engine.off("drain", done);
      resolve();
    };
    const timer = setTimeout(done, maxMs);
    engine.on("drain", done);
  });
}
