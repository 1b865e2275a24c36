import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The nats-server to start: $NATS_SERVER_BIN, or nats-server on the PATH (CI: apt-get install -y nats-server). */
export const NATS_SERVER_BIN = process.env.NATS_SERVER_BIN || "nats-server";

export interface NatsServer {
  url: string;
  port: number;
  pid: number;
  /** Everything the server logged, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Whether the NATS tests can run. Without nats-server they are skipped, loudly, on a developer's
 * machine; in CI (CI set) they run anyway and fail, because a green CI without them proves nothing.
 */
export function natsTestGate(): { skip: boolean } {
  const probe = spawnSync(NATS_SERVER_BIN, ["--version"], { encoding: "utf8" });
  if (!probe.error && probe.status === 0) return { skip: false };
  if (process.env.CI) return { skip: false };
  console.warn(
    `\n${"!".repeat(78)}\n!! SKIPPING the NATS tests: ${NATS_SERVER_BIN} cannot be run (${probe.error?.message ?? `exit ${probe.status}`}).\n` +
      `!! Install it (apt-get install -y nats-server, or https://github.com/nats-io/nats-server/releases)\n` +
      `!! or set NATS_SERVER_BIN. In CI (CI set) these tests run and fail instead.\n${"!".repeat(78)}\n`,
  );
  return { skip: true };
}

/**
 * Starts `nats-server -js` on 127.0.0.1 on a port the server picks itself (-p -1: no race for a
 * free port), with its store in a fresh temporary folder, and waits until it accepts connections.
 */
export async function startNatsServer(timeoutMs = 15_000): Promise<NatsServer> {
  const storeDir = await mkdtemp(join(tmpdir(), "pw-nats-"));
  let child: ChildProcess;
  try {
    child = spawn(NATS_SERVER_BIN, ["-js", "-a", "127.0.0.1", "-p", "-1", "-sd", storeDir], { stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    await rm(storeDir, { recursive: true, force: true });
    throw error;
  }
  let log = "";
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nats-server did not start within ${timeoutMs} ms:\n${log}`)), timeoutMs);
    let listening: number | undefined;
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      listening ??= Number(/Listening for client connections on [^\s]+:(\d+)/.exec(log)?.[1]) || undefined;
      if (listening && /Server is ready/.test(log)) {
        clearTimeout(timer);
        resolve(listening);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${NATS_SERVER_BIN}: ${error.message} (install nats-server, or set NATS_SERVER_BIN)`));
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited (${code}) before it was ready:\n${log}`));
    });
  }).catch(async (error: unknown) => {
    child.kill("SIGKILL");
    await rm(storeDir, { recursive: true, force: true });
    throw error;
  });
  await acceptsConnections(port);
  const exited = new Promise<void>((done) => {
    if (child.exitCode !== null) done();
    else child.once("exit", () => done());
  });
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    pid: child.pid as number,
    output: () => log,
    async stop() {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}

function acceptsConnections(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: "127.0.0.1", port }, () => {
      socket.end();
      resolve();
    });
    socket.on("error", reject);
  });
}
