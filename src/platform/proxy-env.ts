import { bareHostname } from "./bare-hostname.js";

/**
 * The proxy for a URL as the usual environment variables say, the way curl reads them:
 * `<scheme>_proxy` (lower case first, then upper case), else `all_proxy`/`ALL_PROXY`;
 * `no_proxy`/`NO_PROXY` lists hosts reached directly (`*` for all; `example.com` or
 * `.example.com` also covers its subdomains; `host:port` only that port).
 */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv): URL | undefined {
  const scheme = target.protocol.replace(/:$/, "");
  const value = pick(env, `${scheme}_proxy`) ?? pick(env, "all_proxy");
  if (!value) return undefined;
  if (bypassed(target, pick(env, "no_proxy") ?? "")) return undefined;
  // A proxy given without a scheme ("proxy:3128") is an HTTP proxy.
  const proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  if (proxy.protocol !== "http:") {
    throw new Error(`the proxy ${proxy.protocol}//${proxy.host} is not an http:// proxy, the only kind this runner speaks to`);
  }
  return proxy;
}

function pick(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name] ?? env[name.toUpperCase()];
  return value?.trim() || undefined;
}

function bypassed(target: URL, noProxy: string): boolean {
  const host = bareHostname(target).toLowerCase();
  const port = target.port || (target.protocol === "https:" ? "443" : "80");
  return noProxy
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((entry) => {
      if (entry === "*") return true;
      const { name, entryPort } = splitEntry(entry.toLowerCase());
      if (entryPort !== undefined && entryPort !== port) return false;
      return host === name || host.endsWith(`.${name}`);
    });
}

/** A no_proxy entry's host (without a leading "." or "*.") and port: "[::1]:8080", "::1", "example.com:443". */
function splitEntry(entry: string): { name: string; entryPort?: string } {
  const bracketed = /^\[([^\]]*)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { name: bracketed[1] ?? "", ...(bracketed[2] ? { entryPort: bracketed[2] } : {}) };
  // More than one ":" is a bare IPv6 address, with no port.
  if (entry.indexOf(":") !== entry.lastIndexOf(":")) return { name: entry };
  const [name = "", entryPort] = entry.split(":");
  return { name: name.replace(/^\*?\./, ""), ...(entryPort ? { entryPort } : {}) };
}
