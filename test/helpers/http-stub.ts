import { spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface StubRequest {
  /** 0 for the first request the stub got, and so on. */
  index: number;
  method: string;
  /** The path and query, e.g. "/simulation/run/update/sim1". */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export type StubHandler = (req: StubRequest, res: http.ServerResponse) => void | Promise<void>;

export interface HttpStub {
  /** "http://127.0.0.1:<port>/". */
  url: string;
  requests: StubRequest[];
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1, scripted per test: `handler` answers each request
 * (after its body is read), and may also destroy the socket or never answer.
 */
export async function startStub(handler: StubHandler): Promise<HttpStub> {
  const requests: StubRequest[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      return;
    }
    const recorded: StubRequest = {
      index: requests.length,
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      body: Buffer.concat(chunks),
    };
    requests.push(recorded);
    try {
      await handler(recorded, res);
    } catch (error) {
      if (!res.headersSent) res.writeHead(599);
      res.end(String(error));
    }
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A JSON answer. */
export function sendJson(res: http.ServerResponse, status: number, value: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { "content-type": "application/json", "content-length": body.length, ...headers });
  res.end(body);
}

/** A port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A port where connecting hangs: a listener that never accepts, its backlog already full, so
 * the kernel drops further SYNs. Node always accepts, hence the small Python process.
 */
export async function hangingPort(): Promise<{ port: number; close(): void }> {
  const script = [
    "import socket, sys",
    "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(0)",
    "port = s.getsockname()[1]",
    "held = []",
    "for _ in range(4):",
    "    c = socket.socket(); c.setblocking(False)",
    "    try: c.connect(('127.0.0.1', port))",
    "    except BlockingIOError: pass",
    "    held.append(c)",
    "print(port, flush=True)",
    "sys.stdin.read()",
  ].join("\n");
  const child = spawn("python3", ["-c", script], { stdio: ["pipe", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.stdout.once("data", (data: Buffer) => resolve(Number(data.toString().trim())));
  });
  return { port, close: () => child.kill() };
}
