/**
 * What every reliability scenario shares: the reference server as a real child process (so it can
 * be killed), the checks each scenario ends with (every output byte-identical on the server, no
 * partial upload stored, the token nowhere), and the one-line summary each prints.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { CLI } from "../helpers/work-dir.js";

/** A token a grep cannot miss: a fixed prefix and random hex. */
export function recognisableToken(): string {
  return `reltok-${randomBytes(12).toString("hex")}`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  stderr: () => string;
  /** Resolves when the process has ended. */
  exited: Promise<void>;
}

/** `physicsworks-solve serve` in its own process on 127.0.0.1, resolved once it prints its URL. */
export function serveProcess(options: { dataDir: string; token: string; port?: number; extra?: string[] }): Promise<ServerProcess> {
  const args = [CLI, "serve", "--port", String(options.port ?? 0), "--data", options.dataDir, "--token", options.token, ...(options.extra ?? [])];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (err = (err + d).slice(-20_000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 20_000);
    child.once("exit", (code) => reject(new Error(`server exited ${code}: ${err}`)));
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const url = /^(http:\/\/\S+\/)$/m.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ url, port: Number(new URL(url).port), child, stderr: () => err, exited });
      }
    });
  });
}

export async function fileSha(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

/** Every file under `dir`, as paths relative to it with "/". */
export async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  const go = async (rel: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await go(p);
      else if (e.isFile()) out.push(p);
    }
  };
  await go("");
  return out;
}

interface StoredFile {
  filename: string;
  path: string | null;
  size: number;
  sha256: string;
}

export interface RunAnswer {
  node: { status?: string; progress?: number; statusLabel?: string } | null;
  files: StoredFile[];
}

export async function runAnswer(url: string, token: string, runId: string): Promise<RunAnswer> {
  const answer = await fetch(new URL(`runs/${runId}`, url), { headers: { "auth-token": token } });
  if (answer.status !== 200) throw new Error(`GET runs/${runId}: ${answer.status} ${await answer.text()}`);
  return (await answer.json()) as RunAnswer;
}

export interface Intactness {
  /** Outputs on disk that should be on the server (all but state.txt). */
  expected: number;
  /** Of those, stored with the same size and sha256. */
  intact: number;
  /** Stored files that are not a whole local output, v2 uploads not completed but stored, outputs missing. */
  problems: string[];
  status: string | undefined;
}

/**
 * Every output (but state.txt, which is parsed, not sent) stored under its path, size and sha256
 * equal to the local file; every stored file that names a path equal to that local file (nothing
 * stored partially); no v2 upload that did not complete shows up as a stored file.
 */
export async function checkIntact(url: string, token: string, dataDir: string, runId: string, workDir: string): Promise<Intactness> {
  const answer = await runAnswer(url, token, runId);
  const outputs = join(workDir, "outputs");
  const local = (await walk(outputs)).filter((p) => p !== "state.txt");
  const byPath = new Map<string, StoredFile[]>();
  for (const f of answer.files) if (f.path !== null) byPath.set(f.path, [...(byPath.get(f.path) ?? []), f]);
  const problems: string[] = [];
  let intact = 0;
  for (const p of local) {
    const stored = byPath.get(p) ?? [];
    const full = join(outputs, p);
    const size = (await stat(full)).size;
    const sha = await fileSha(full);
    if (stored.length === 0) problems.push(`outputs/${p}: not on the server`);
    else if (stored.some((s) => s.size !== size || s.sha256 !== sha)) {
      problems.push(`outputs/${p}: stored ${stored.map((s) => `${s.size} B ${s.sha256.slice(0, 12)}`).join(", ")}, local ${size} B ${sha.slice(0, 12)}`);
    } else intact++;
  }
  for (const path of byPath.keys()) if (!local.includes(path) && path !== "state.txt") problems.push(`stored ${path} has no local file`);
  if (byPath.has("state.txt")) problems.push("state.txt was uploaded");
  const storedNames = new Set(answer.files.map((f) => f.filename));
  // The upload records: the last line of an upload is its state.
  const uploads = new Map<string, { complete?: boolean; filename?: string; runId?: string }>();
  const table = await readFile(join(dataDir, "uploads.jsonl"), "utf8").catch(() => "");
  for (const line of table.split("\n").filter(Boolean)) {
    const record = JSON.parse(line) as { uploadId: string; complete?: boolean; filename?: string; runId?: string };
    uploads.set(record.uploadId, record);
  }
  for (const [id, record] of uploads) {
    if (record.runId === runId && record.complete !== true && record.filename && storedNames.has(record.filename)) {
      problems.push(`v2 upload ${id} (${record.filename}) is incomplete but stored`);
    }
  }
  return { expected: local.length, intact, problems, status: answer.node?.status };
}

/** Lines of DATA/requests.jsonl, parsed. */
export async function requestLog(dataDir: string): Promise<{ method: string; path: string; status: number; fault?: string; at: string }[]> {
  const text = await readFile(join(dataDir, "requests.jsonl"), "utf8").catch(() => "");
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { method: string; path: string; status: number; fault?: string; at: string });
}

export async function faultCount(dataDir: string): Promise<number> {
  return (await requestLog(dataDir)).filter((l) => l.fault !== undefined).length;
}

/**
 * Where the token shows up: in any of `texts` (stdout, stderr…) or any file under `dirs`
 * (debug/ with uploads.json, platform-run.json, runner.log, run.json; the server's requests.jsonl).
 */
export async function tokenLeaks(token: string, texts: Record<string, string>, files: string[], dirs: string[]): Promise<string[]> {
  const leaks = Object.entries(texts)
    .filter(([, text]) => text.includes(token))
    .map(([name]) => name);
  const all = [...files];
  for (const dir of dirs) all.push(...(await walk(dir)).map((p) => join(dir, p)));
  for (const f of all) {
    const bytes = await readFile(f).catch(() => undefined);
    if (bytes?.includes(token)) leaks.push(f);
  }
  return leaks;
}

export const fmt = (n: number): string => n.toLocaleString("en-US");

/** The scenario's one line: what was injected, what arrived. */
export function summary(name: string, injected: string, result: Intactness, extra = ""): void {
  console.log(
    `[reliability] ${name}: ${injected}, ${fmt(result.intact)}/${fmt(result.expected)} files intact, status ${result.status ?? "?"}${extra ? `, ${extra}` : ""}`,
  );
}
