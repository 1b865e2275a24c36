import { describe, expect, it } from "vitest";
import { proxyFor } from "../../src/platform/proxy-env.js";

const at = (url: string, env: NodeJS.ProcessEnv) => proxyFor(new URL(url), env)?.href;

describe("proxyFor", () => {
  it("takes <scheme>_proxy (lower case first), then all_proxy; none means direct", () => {
    expect(at("https://pw.example.com/", {})).toBeUndefined();
    expect(at("https://pw.example.com/", { HTTPS_PROXY: "http://p:3128" })).toBe("http://p:3128/");
    expect(at("https://pw.example.com/", { https_proxy: "http://lower:1", HTTPS_PROXY: "http://upper:2" })).toBe("http://lower:1/");
    expect(at("https://pw.example.com/", { http_proxy: "http://p:3128" })).toBeUndefined();
    expect(at("http://pw.example.com/", { http_proxy: "http://p:3128" })).toBe("http://p:3128/");
    expect(at("http://pw.example.com/", { ALL_PROXY: "p:8080" })).toBe("http://p:8080/");
    expect(at("http://pw.example.com/", { http_proxy: "  " })).toBeUndefined();
  });

  it("reaches no_proxy's hosts directly: names, their subdomains, ports, *", () => {
    const env = (noProxy: string) => ({ https_proxy: "http://p:3128", no_proxy: noProxy });
    expect(at("https://pw.example.com/", env("example.com"))).toBeUndefined();
    expect(at("https://pw.example.com/", env(".example.com"))).toBeUndefined();
    expect(at("https://pw.example.com/", env("other.com, localhost"))).toBe("http://p:3128/");
    expect(at("https://notexample.com/", env("example.com"))).toBe("http://p:3128/");
    expect(at("https://pw.example.com:8443/", env("pw.example.com:443"))).toBe("http://p:3128/");
    expect(at("https://pw.example.com:8443/", env("pw.example.com:8443"))).toBeUndefined();
    expect(at("https://127.0.0.1/", env("127.0.0.1"))).toBeUndefined();
    expect(at("https://[::1]:9/", env("[::1]"))).toBeUndefined();
    expect(at("https://anything/", env("*"))).toBeUndefined();
  });

  it("refuses a proxy that is not http://", () => {
    expect(() => at("https://pw.example.com/", { https_proxy: "socks5://p:1080" })).toThrow(/not an http:\/\/ proxy/);
  });
});
