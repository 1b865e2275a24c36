import { createWriteStream, type WriteStream } from "node:fs";
import type { RunEvent } from "../run-events.js";
import { redact } from "./redact.js";

/**
 * debug/runner.log: what the runner did and when (stages, progress, warnings), for troubleshooting a run
 * after the fact. The solver's own output is in debug/main.txt, not here.
 */
export class RunnerLog {
  private readonly stream: WriteStream;

  constructor(
    path: string,
    private readonly secrets: readonly string[],
  ) {
    this.stream = createWriteStream(path, { flags: "a" });
    this.stream.on("error", () => {
      // The debug log is a convenience: a full disk must not fail the run.
    });
  }

  event(event: RunEvent): void {
    if (event.type === "log" || event.type === "upload") return;
    this.line(describeEvent(event));
  }

  line(text: string): void {
    this.stream.write(`${new Date().toISOString()} ${redact(text, this.secrets)}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(resolve));
  }
}

function describeEvent(event: Exclude<RunEvent, { type: "log" | "upload" }>): string {
  switch (event.type) {
    case "stage": {
      const s = event.stage;
      const extra = s.error ? ` error: ${s.error}` : s.note ? ` (${s.note})` : "";
      return `stage ${s.name} ${s.status}${s.durationMs !== undefined ? ` ${s.durationMs}ms` : ""}${extra}`;
    }
    case "progress":
      return `progress ${event.progress}% ${event.label}`;
    case "warning":
      return `warning: ${event.message}`;
    case "info":
      return event.message;
  }
}
