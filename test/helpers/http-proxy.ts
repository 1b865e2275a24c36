import http from "node:http";
import net, { type AddressInfo } from "node:net";

export interface SeenByProxy {
  method: string;
  /** The absolute URL of a forwarded request, or host:port of a CONNECT. */
  target: string;
  proxyAuthorization?: string;
}

export interface TestProxy {
  url: string;
  seen: SeenByProxy[];
  close(): Promise<void>;
}

/**
 * A forward HTTP proxy on 127.0.0.1, as HPC sites run them: plain requests in absolute form are
 * passed on (without the Proxy-Authorization header), CONNECT opens a TCP tunnel. Every request
 * it was asked for is recorded. With `password`, requests without `Basic user:password` get 407.
 */
export async function startTestProxy(options: { user?: string; password?: string } = {}): Promise<TestProxy> {
  const seen: SeenByProxy[] = [];
  const expected = options.password ? `Basic ${Buffer.from(`${options.user ?? ""}:${options.password}`).toString("base64")}` : undefined;
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const auth = req.headers["proxy-authorization"];
    seen.push({ method: req.method ?? "", target: req.url ?? "", ...(auth ? { proxyAuthorization: auth } : {}) });
    if (expected && auth !== expected) {
      res.writeHead(407, { "proxy-authenticate": 'Basic realm="test"' }).end();
      return;
    }
    const headers = { ...req.headers };
    delete headers["proxy-authorization"];
    const onward = http.request(req.url ?? "", { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    onward.on("error", () => res.writeHead(502).end());
    req.pipe(onward);
  });
  server.on("connect", (req, client: net.Socket, head: Buffer) => {
    const auth = req.headers["proxy-authorization"];
    seen.push({ method: "CONNECT", target: req.url ?? "", ...(auth ? { proxyAuthorization: auth } : {}) });
    if (expected && auth !== expected) {
      client.end("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n");
      return;
    }
    const [host, port] = (req.url ?? "").split(":");
    const upstream = net.connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      splice(client, upstream, sockets);
    });
    track(upstream, sockets);
    // Refused before the tunnel was made: the client's connection ends with it.
    upstream.once("error", () => client.destroy());
  });
  server.on("connection", (socket) => track(socket, sockets));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Pipes `a` and `b` into each other; either one failing ends both. Both are kept in `sockets` while open. */
export function splice(a: net.Socket, b: net.Socket, sockets: Set<net.Socket>): void {
  a.pipe(b).pipe(a);
  for (const s of [a, b]) {
    track(s, sockets);
    s.on("error", () => {
      a.destroy();
      b.destroy();
    });
  }
}

function track(socket: net.Socket, sockets: Set<net.Socket>): void {
  sockets.add(socket);
  socket.once("close", () => sockets.delete(socket));
}
