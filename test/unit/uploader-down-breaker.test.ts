/**
 * The final pass's breaker (DOWN_AFTER_FAILURES) counts only the pass's own sends. Sends the run
 * queued, which fail while the pass waits for them, must not trip it: a tripped pool would take
 * none of the pass's files, and the pass would end with nothing sent and nothing failed.
 * A real Uploader, journal and files; the target is an in-memory platform (the uploader's own
 * seam, src/upload/upload-target.ts), down for its first calls and up after them.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UploadJournal } from "../../src/upload/upload-journal.js";
import { DOWN_AFTER_FAILURES, Uploader } from "../../src/upload/uploader.js";
import type { UploadTarget } from "../../src/upload/upload-target.js";

const dir = await mkdtemp(join(tmpdir(), "pw-breaker-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Fails its first `failing` appends as a platform that does not answer would (refused: false), after a moment each. */
function platform(failing: number) {
  let calls = 0;
  const appended = new Set<string>();
  const target: UploadTarget = {
    async appendFile(body) {
      calls++;
      const fails = calls <= failing;
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (fails) throw Object.assign(new Error("the platform answered 503"), { refused: false });
      appended.add(body.metadata.path ?? "");
    },
    uploadChunk: () => Promise.reject(new Error("not used")),
    openUpload: () => Promise.reject(new Error("not used")),
    sendUploadBytes: () => Promise.reject(new Error("not used")),
    completeUpload: () => Promise.reject(new Error("not used")),
    retryDelay: () => 0,
  };
  return { target, appended };
}

describe("the final pass's breaker", () => {
  it("is not tripped by sends the run queued that fail while the pass waits for them", async () => {
    const files = DOWN_AFTER_FAILURES + 2;
    const outputs = join(dir, "outputs");
    await mkdir(join(outputs, "logs"), { recursive: true });
    const paths = Array.from({ length: files }, (_, i) => `logs/l${i}.log`);
    for (const path of paths) await writeFile(join(outputs, path), "a line\n");
    // Every send the run starts fails, each after its restarts (5 a live file); the pass's own go through.
    const { target, appended } = platform(files * 5);
    const warnings: string[] = [];
    const uploader = new Uploader({
      outputsDir: outputs,
      target,
      metadata: { project: "p", owner: "o", resource: "r", resourceKind: "Run", simulation: "s", runId: "run1" },
      journal: await UploadJournal.load(join(dir, "uploads.json")),
      useV2: false,
      // All of the run's sends under way when the pass starts: they all fail while it waits for them.
      concurrency: files,
      liveIntervalMs: 1000,
      filesDuringRun: false,
      settleMs: 10,
      chunkSize: 1024 * 1024,
      onEntry: () => undefined,
      warn: (m) => warnings.push(m),
    });
    for (const path of paths) uploader.notify(path);
    const { failed } = await uploader.finalPass();
    expect(failed).toEqual([]);
    expect([...appended].sort()).toEqual([...paths].sort());
    expect(warnings.join("\n")).not.toContain("in a row");
  });
});
