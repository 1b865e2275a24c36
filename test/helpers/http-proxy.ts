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
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
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
