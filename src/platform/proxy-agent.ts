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
  const agent = new https.Agent({ keepAlive: true });
  const createConnection = (options: tls.ConnectionOptions & { host?: string; port?: number }, done: (error: Error | null, socket?: Socket) => void) => {
    const target = `${options.host}:${options.port ?? 443}`;
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
      const servername = options.servername ?? (options.host && !isIP(options.host) ? options.host : undefined);
      done(null, tls.connect({ ...options, socket, ...(servername ? { servername } : {}) }));
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
