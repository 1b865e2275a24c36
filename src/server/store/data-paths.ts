import path from "node:path";
import { HttpError } from "../http/http-error.js";

/**
 * Every path the server touches, built from segments already checked by safeSegment and checked
 * once more after resolution: nothing is ever read or written outside DATA.
 */
export class DataPaths {
  constructor(readonly root: string) {}

  at(...segments: string[]): string {
    const full = path.resolve(this.root, ...segments);
    const inside = path.relative(this.root, full);
    if (inside === "" || inside === ".." || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside)) {
      throw new HttpError(400, "the request names a path outside the data folder");
    }
    return full;
  }

  runData(project: string, simulation: string): string {
    return this.at("run-data", project, `${simulation}.json`);
  }
  download(fileId: string): string {
    return this.at("files", fileId);
  }
  simulation(simulation: string): string {
    return this.at("simulations", `${simulation}.json`);
  }
  runsDir(): string {
    return this.at("runs");
  }
  run(runId: string, ...rest: string[]): string {
    return this.at("runs", runId, ...rest);
  }
  storedFile(runId: string, filename: string): string {
    return this.run(runId, "files", filename);
  }
  /** The run's file records: a JSON-lines table. */
  fileRecords(runId: string): string {
    return this.run(runId, "file-records.jsonl");
  }
  chunkPart(runId: string, filename: string): string {
    return this.run(runId, "parts", `${filename}.part`);
  }
  chunkRecord(runId: string, filename: string): string {
    return this.run(runId, "parts", `${filename}.chunks.json`);
  }
  /** The v2 upload records: a JSON-lines table. */
  uploadRecords(): string {
    return this.at("uploads.jsonl");
  }
  /** The bytes of a v2 upload received so far. */
  uploadData(uploadId: string): string {
    return this.at("uploads", `${uploadId}.data`);
  }
  requestLog(): string {
    return this.at("requests.jsonl");
  }
}
