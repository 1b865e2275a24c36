import http from "node:http";
import https from "node:https";
import { isIP, type Socket } from "node:net";
import tls from "node:tls";
import { bareHostname } from "./bare-hostname.js";
import { connectTimeoutError } from "./connect-timeout.js";

/**
 * An https agent whose connections go through an HTTP proxy: each is a CONNECT tunnel to the
 * platform, with TLS spoken end to end inside it (the proxy sees neither the token nor the data).
 * Kept-alive tunnels are reused like any connection. The CONNECT itself is bounded by the connect
 * timeout.
 */
export function tunnelingAgent(proxy: URL, connectTimeoutMs: number): https.Agent {
  return withTunnels(new https.Agent({ keepAlive: true }), proxy, connectTimeoutMs, (socket, options) => {
    const servername = options.servername ?? (options.host && !isIP(options.host) ? options.host : undefined);
    return tls.connect({ ...options, socket, ...(servername ? { servername } : {}) });
  });
}

/**
 * An http agent whose connections are CONNECT tunnels through an HTTP proxy, for what cannot go
 * in absolute form: the live socket's WebSocket upgrade to an http:// platform.
 */
export function plainTunnelingAgent(proxy: URL, connectTimeoutMs: number): http.Agent {
  return withTunnels(new http.Agent({ keepAlive: false }), proxy, connectTimeoutMs, (socket) => socket);
}

type TunnelOptions = tls.ConnectionOptions & { host?: string; port?: number };

/** Makes `agent` open each connection as a CONNECT tunnel to its host and port, then `wrap` the tunnel (TLS or as is). */
function withTunnels<A extends http.Agent>(agent: A, proxy: URL, connectTimeoutMs: number, wrap: (socket: Socket, options: TunnelOptions) => Socket): A {
  const createConnection = (options: TunnelOptions, done: (error: Error | null, socket?: Socket) => void) => {
    const defaultPort = agent instanceof https.Agent ? 443 : 80;
    const target = `${options.host}:${options.port ?? defaultPort}`;
    const connect = http.request({
      host: bareHostname(proxy),
      port: proxy.port || 80,
      method: "CONNECT",
      path: target,
      headers: { host: target, ...proxyAuthorization(proxy) },
      agent: false,
    });
    connect.setTimeout(connectTimeoutMs, () => connect.destroy(connectTimeoutError(connectTimeoutMs)));
    connect.once("error", (error) => done(error));
    connect.once("connect", (answer, socket) => {
      connect.setTimeout(0);
      if (answer.statusCode !== 200) {
        socket.destroy();
        done(Object.assign(new Error(`the proxy ${proxy.host} refused the tunnel to ${target} (${answer.statusCode} ${answer.statusMessage ?? ""})`.trim()), { code: "ERR_PROXY_REFUSED" }));
        return;
      }
      done(null, wrap(socket, options));
    });
    connect.end();
  };
  // Node's agent waits for the callback when createConnection returns nothing.
  (agent as unknown as { createConnection: typeof createConnection }).createConnection = createConnection;
  return agent;
}

/** `Proxy-Authorization` from the proxy URL's user and password, when it has them. */
export function proxyAuthorization(proxy: URL): Record<string, string> {
  if (!proxy.username) return {};
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { "proxy-authorization": `Basic ${Buffer.from(credentials).toString("base64")}` };
}
