import { renderProgressBar } from "../log/progress-bar.js";
import type { SweepEvent } from "./run-local.js";
import type { SweepPoint } from "./spec-types.js";

export interface SweepDisplayOptions {
  out: NodeJS.WritableStream & { columns?: number };
  total: number;
  /** A terminal: the overall bar stays on the last line, redrawn under each point's line. */
  interactive: boolean;
  /** Least time between two progress lines of one point. */
  progressIntervalMs?: number;
  now?: () => number;
}

/** A line per point as it starts, progresses and ends, and an overall bar (or an overall line per point done). */
export class SweepDisplay {
  private done = 0;
  private failed = 0;
  private skipped = 0;
  private readonly lastProgress = new Map<number, number>();
  private barShown = false;

  constructor(private readonly options: SweepDisplayOptions) {}

  onEvent(event: SweepEvent): void {
    const tag = `[${event.point.dir}]`;
    switch (event.type) {
      case "skip":
        this.done++;
        this.skipped++;
        this.line(`${tag} finished earlier, skipped  ${params(event.point)}`);
        break;
      case "start":
        this.line(`${tag} started  ${params(event.point)}`);
        break;
      case "progress": {
        const now = (this.options.now ?? Date.now)();
        const last = this.lastProgress.get(event.point.index);
        if (last !== undefined && now - last < (this.options.progressIntervalMs ?? 2000)) return;
        this.lastProgress.set(event.point.index, now);
        this.line(`${tag} ${event.progress.toFixed(0).padStart(3)}% ${event.label}`);
        break;
      }
      case "end": {
        this.done++;
        const { state } = event;
        const seconds = state.result ? ` in ${(state.result.durationMs / 1000).toFixed(1)} s` : "";
        if (state.status !== "finished") this.failed++;
        this.line(state.status === "finished" ? `${tag} finished${seconds}` : `${tag} error${seconds}: ${state.error ?? "see its debug/run.json"}`);
        if (!this.options.interactive) this.line(`sweep: ${this.summary()}`);
        break;
      }
    }
  }

  /** Clears the bar so what follows starts on a clean line. */
  close(): void {
    if (this.barShown) this.options.out.write("\r\x1b[K");
    this.barShown = false;
  }

  private summary(): string {
    const { total } = this.options;
    return `${this.done}/${total} points done` + (this.skipped ? `, ${this.skipped} skipped` : "") + (this.failed ? `, ${this.failed} failed` : "");
  }

  private line(text: string): void {
    const { out } = this.options;
    if (!this.options.interactive) {
      out.write(`${text}\n`);
      return;
    }
    out.write(`\r\x1b[K${text}\n`);
    const progress = this.options.total ? (100 * this.done) / this.options.total : 100;
    out.write(renderProgressBar(progress, "sweep", this.summary(), out.columns ?? 80));
    this.barShown = true;
  }
}

function params(point: SweepPoint): string {
  return Object.entries(point.parameters)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(" ");
}
