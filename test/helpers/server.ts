import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { RunData } from "../../src/platform/types.js";
import { ALL_SCOPES, mintToken, startServer, type RunningServer, type ServerAuth, type ServerOptions } from "../../src/server/index.js";

export interface TestServer {
  server: RunningServer;
  /** The root, ending with "/". */
  url: string;
  dataDir: string;
  /** A credential the server accepts: the static token, or with `jwtSecret` a JWT holding every scope. */
  token: string;
  /** Closes the server and removes its data folder. */
  cleanup(): Promise<void>;
}

/** A real server on 127.0.0.1, any free port, with a fresh temporary DATA folder and a random token. */
export async function startTestServer(options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), "pw-server-")));
  const staticToken = randomBytes(16).toString("hex");
  const { token: givenToken, jwtSecret, ...settings } = options;
  const auth: ServerAuth = jwtSecret ? { jwtSecret, ...(givenToken ? { token: givenToken } : {}) } : { token: givenToken ?? staticToken };
  const server = await startServer({ port: 0, host: "127.0.0.1", ...settings, ...auth, dataDir });
  const token = options.jwtSecret
    ? mintToken(options.jwtSecret, { sub: "test", scope: ALL_SCOPES, expiresIn: "1h" })
    : (options.token ?? staticToken);
  return {
    server,
    url: server.url,
    dataDir,
    token,
    async cleanup() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The run data `GET simulation/run_data/read/{project}/{simulation}` answers. */
export async function seedRunData(dataDir: string, project: string, simulation: string, runData: RunData | unknown): Promise<void> {
  const file = path.join(dataDir, "run-data", project, `${simulation}.json`);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(runData));
}

/** Run data with nothing in it but the physics feature's `config` (solverConfig.json): for runs whose solver needs no inputs. */
export function plainRunData(config: Record<string, unknown> = {}): RunData {
  return { simulation: { tree: {}, meshes: [] }, materials: [], inputs: {}, physicsFeature: { config } };
}

/** A file `GET storage/runner/{fileId}` answers. */
export async function seedFile(dataDir: string, fileId: string, bytes: Uint8Array | string): Promise<void> {
  const file = path.join(dataDir, "files", fileId);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
}

export interface CallOptions {
  /** Sent as application/json. */
  json?: unknown;
  /** Sent as form field `json`, url-encoded (what the Python runner does) or multipart. */
  form?: unknown;
  encoding?: "urlencoded" | "multipart";
  body?: Uint8Array | string;
  headers?: Record<string, string>;
  /** The credential; default the test server's token; null sends none. */
  token?: string | null;
}

/** One real HTTP request to a test server; `path` is relative to its root. */
export function callServer(t: Pick<TestServer, "url" | "token">, method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? t.token : options.token;
  if (token !== null) headers["auth-token"] = token;
  let body: RequestInit["body"];
  if (options.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.json);
  } else if (options.form !== undefined) {
    const text = JSON.stringify(options.form);
    if (options.encoding === "multipart") {
      const form = new FormData();
      form.set("json", text);
      body = form;
    } else {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams({ json: text }).toString();
    }
  } else if (options.body !== undefined) {
    body = options.body as RequestInit["body"];
  }
  return fetch(new URL(path, t.url), { method, headers, ...(body !== undefined ? { body } : {}) });
}

/** The metadata a runner sends with a stored file. */
export function uploadMetadata(runId: string, originalname: string, extra: Record<string, unknown> = {}) {
  return {
    project: "p1",
    owner: "o1",
    originalname,
    resource: runId,
    resourceKind: "Run" as const,
    simulation: "s1",
    runId,
    ...extra,
  };
}
