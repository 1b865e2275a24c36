import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import net, { type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { createPlatformClient } from "../../src/platform/index.js";
import { splice, startTestProxy, type TestProxy } from "../helpers/http-proxy.js";
import { platformFields, writeConfig } from "../helpers/platform-run.js";
import { waitFor } from "../helpers/pids.js";
import { runCli } from "../helpers/run-cli.js";
import { callServer, seedRunData, startTestServer, type TestServer, plainRunData } from "../helpers/server.js";
import { useTempWorks } from "../helpers/work-dir.js";

const { work } = useTempWorks();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(): Promise<TestServer> {
  const s = await startTestServer();
  cleanups.push(() => s.cleanup());
  return s;
}

async function proxy(options: Parameters<typeof startTestProxy>[0] = {}): Promise<TestProxy> {
  const p = await startTestProxy(options);
  cleanups.push(() => p.close());
  return p;
}

/**
 * The platform behind TLS: a self-signed certificate for 127.0.0.1 (made with openssl) and a
 * terminator that hands each connection's plain bytes to the reference server.
 */
async function tlsFront(target: TestServer): Promise<{ url: string; certFile: string }> {
  const dir = await mkdtemp(join(tmpdir(), "pw-tls-"));
  const keyFile = join(dir, "key.pem");
  const certFile = join(dir, "cert.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
    "-keyout", keyFile, "-out", certFile, "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
  ], { stdio: "ignore" });
  const port = Number(new URL(target.url).port);
  const sockets = new Set<net.Socket>();
  const front = tls.createServer({ key: await readFile(keyFile), cert: await readFile(certFile) }, (client) => {
    splice(client, net.connect(port, "127.0.0.1"), sockets);
  });
  await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => front.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });
  return { url: `https://127.0.0.1:${(front.address() as AddressInfo).port}/`, certFile };
}

describe("the platform through an HTTP proxy", () => {
  it("http platform: each call goes to http_proxy in absolute form, with the proxy's credentials; no_proxy goes direct", async () => {
    const s = await server();
    const p = await proxy({ user: "site", password: "pa ss" });
    const via = `http://site:pa%20ss@${new URL(p.url).host}`;
    const client = createPlatformClient({ host: s.url, token: s.token, env: { http_proxy: via } });
    cleanups.push(async () => client.close());
    expect((await client.capabilities()).uploads).toContain("v2");
    expect(p.seen).toEqual([
      { method: "GET", target: `${s.url}runner/capabilities`, proxyAuthorization: `Basic ${Buffer.from("site:pa ss").toString("base64")}` },
    ]);

    const direct = createPlatformClient({ host: s.url, token: s.token, env: { http_proxy: via, no_proxy: "localhost,127.0.0.1" } });
    cleanups.push(async () => direct.close());
    await direct.capabilities();
    expect(p.seen).toHaveLength(1);
  });

  it("a proxy that cannot be reached: the message names the platform and the proxy, never the proxy's password", async () => {
    const s = await server();
    const closed = await proxy();
    const address = new URL(closed.url).host;
    await closed.close();
    const client = createPlatformClient({ host: s.url, token: s.token, env: { http_proxy: `http://u:secret@${address}` }, retry: { tries: 1 } });
    cleanups.push(async () => client.close());
    const error = (await client.capabilities().catch((e: unknown) => e)) as Error;
    expect(error.message).toContain(`through the proxy ${address}`);
    expect(error.message).toContain("the proxy refused the connection; is it running, and are https_proxy / http_proxy right?");
    expect(error.message).not.toContain("secret");
  });

  it("http platform: the live socket goes to http_proxy as a CONNECT tunnel, and a run:abort through it stops the run", async () => {
    const s = await server();
    await seedRunData(s.dataDir, "p1", "sim1", plainRunData());
    const p = await proxy();
    const w = await work("sleeper.py");
    await writeConfig(w.configPath, platformFields(s, { workDir: ".", mainScript: "sleeper.py" }));
    const running = runCli([`--configPath=${w.configPath}`, "--json", "--grace=1s"], {
      env: { http_proxy: p.url, HTTP_PROXY: "", no_proxy: "", NO_PROXY: "", SLEEP_SECONDS: "60" },
    });
    // The run's id is written back to config.json; an abort is asked until a socket in the run's room takes it.
    await waitFor(
      async () => {
        const runId = (JSON.parse(await readFile(w.configPath, "utf8")) as { resource?: { id?: string } }).resource?.id;
        if (!runId) return undefined;
        const answer = (await (await callServer(s, "POST", `runs/${runId}/abort`)).json()) as { sockets: number };
        return answer.sockets > 0 ? true : undefined;
      },
      20_000,
      "the live socket to join its run's room",
    );
    const run = await running;
    const result = JSON.parse(run.stdout) as { status: string; error?: { message: string } };
    expect(result, run.stderr).toMatchObject({ status: "error", error: { message: "Aborted by user" } });
    // The platform calls went to the proxy in absolute form; the socket's upgrade in a tunnel to the platform.
    const host = new URL(s.url).host;
    expect(p.seen.filter((r) => r.method === "CONNECT")).toEqual([{ method: "CONNECT", target: host }]);
    expect(p.seen.filter((r) => r.method !== "CONNECT").every((r) => r.target.startsWith(s.url))).toBe(true);
  });

  it("https platform: a whole run goes through https_proxy's CONNECT tunnels, TLS end to end", async () => {
    const s = await server();
    await seedRunData(s.dataDir, "p1", "sim1", plainRunData());
    const front = await tlsFront(s);
    const p = await proxy();
    const w = await work("hello.py");
    await writeConfig(w.configPath, platformFields(s, { host: front.url, workDir: ".", mainScript: "hello.py" }));
    const run = await runCli([`--configPath=${w.configPath}`, "--json"], {
      env: { https_proxy: p.url, HTTPS_PROXY: "", no_proxy: "", NO_PROXY: "", NODE_EXTRA_CA_CERTS: front.certFile },
    });
    expect(run.code, run.stderr).toBe(0);
    const { runId } = JSON.parse(run.stdout) as { runId: string };
    const answer = (await (await callServer(s, "GET", `runs/${runId}`)).json()) as { node: { status: string } };
    expect(answer.node.status).toBe("finished");
    // Every platform call went through the proxy, as tunnels to the platform: the proxy saw no request of its own.
    expect(p.seen.length).toBeGreaterThan(0);
    expect(p.seen.every((r) => r.method === "CONNECT" && r.target === new URL(front.url).host)).toBe(true);
  });
});
