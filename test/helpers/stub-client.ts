import { afterEach } from "vitest";
import { createPlatformClient, type PlatformClientOptions } from "../../src/platform/index.js";
import { startStub, type HttpStub, type StubHandler } from "./http-stub.js";

/** The token the stub clients send: recognisable, so a test can look for it where it must not be. */
export const STUB_TOKEN = "tok-5ecret-9f3a7c";

/**
 * Platform clients against stub servers (test/helpers/http-stub.ts), closed after each test. Their
 * retries record their delays instead of sleeping, with a fixed jitter; `defaults` apply to every client.
 */
export function useStubClients(defaults: Partial<PlatformClientOptions> = {}) {
  const stubs: HttpStub[] = [];
  const clients: { close(): void }[] = [];
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    await Promise.all(stubs.splice(0).map((s) => s.close()));
  });

  /** A client for `host`. */
  function clientFor(host: string, options: Partial<PlatformClientOptions> = {}) {
    const delays: number[] = [];
    const client = createPlatformClient({
      host,
      token: STUB_TOKEN,
      responseTimeoutMs: 2000,
      ...defaults,
      ...options,
      retry: { sleep: async (ms) => void delays.push(ms), random: () => 0.5, ...defaults.retry, ...options.retry },
    });
    clients.push(client);
    return { client, delays };
  }

  /** A stub answering with `handler`, and a client for it. */
  async function serve(handler: StubHandler, options: Partial<PlatformClientOptions> = {}) {
    const stub = await startStub(handler);
    stubs.push(stub);
    return { stub, ...clientFor(stub.url, options) };
  }

  return { clientFor, serve };
}
