import { formatDuration } from "../config/duration.js";
import { formatBytes } from "../log/format-bytes.js";
import type { RunEvent } from "../run-events.js";
import { renderProgressBar } from "../log/progress-bar.js";

export interface DisplayOptions {
  out: NodeJS.WriteStream;
  /** A bar redrawn in place; otherwise plain timestamped lines for logs and batch systems. */
  interactive: boolean;
  /** Echo the solver's output lines (interactive or --debugMode). */
  echoSolver: boolean;
  /** Print "info" events (--debugMode). */
  verbose: boolean;
  /** Least time between two plain progress lines. */
  plainIntervalMs?: number;
  now?: () => number;
}

/** Draws the run's events on the terminal: a progress bar when interactive, plain lines when not. */
export class TerminalDisplay {
  private progress = 0;
  private label = "";
  private stage = "";
  private readonly started: number;
  private barShown = false;
  private redrawTimer: NodeJS.Timeout | undefined;
  private lastPlain = -Infinity;
  private uploaded = "";
  private plainPending = false;
  private readonly now: () => number;

  constructor(private readonly options: DisplayOptions) {
    this.now = options.now ?? Date.now;
    this.started = this.now();
  }

  onEvent = (event: RunEvent): void => {
    switch (event.type) {
      case "stage": {
        const s = event.stage;
        if (s.status === "running") this.stage = s.name;
        if (s.status === "running" && this.options.interactive) break;
        if (!this.options.interactive) this.flushPlainProgress();
        if (s.status !== "running" || !this.options.interactive) {
          const extra = s.error ? `: ${firstLine(s.error)}` : s.note ? ` (${s.note})` : "";
          const time = s.durationMs !== undefined ? ` in ${formatDuration(s.durationMs)}` : "";
          this.printLine(`${s.name} ${s.status}${time}${extra}`);
        }
        break;
      }
      case "progress":
        this.progress = event.progress;
        this.label = event.label;
        if (this.options.interactive) this.scheduleRedraw();
        else this.plainProgress();
        break;
      case "log":
        if (this.options.echoSolver) this.printLine(event.line, false);
        break;
      case "warning":
        this.printLine(`warning: ${event.message}`);
        break;
      case "upload":
        this.uploaded = `sent ${event.files} file${event.files === 1 ? "" : "s"}, ${formatBytes(event.bytes)}`;
        if (this.options.interactive) this.scheduleRedraw();
        break;
      case "info":
        if (this.options.verbose) this.printLine(event.message);
        break;
    }
  };

  /** Clears the bar so the summary starts on a clean line. */
  close(): void {
    if (this.redrawTimer) clearTimeout(this.redrawTimer);
    this.redrawTimer = undefined;
    if (!this.options.interactive) this.flushPlainProgress();
    this.clearBar();
  }

  private printLine(text: string, stamped = true): void {
    this.clearBar();
    const prefix = stamped && !this.options.interactive ? `${clock(this.now())} ` : "";
    this.write(`${prefix}${text}\n`);
    if (this.options.interactive) this.drawBar();
  }

  /** A terminal whose reader went away (`| head -1`) is errored and no longer writable: the display stops there, the run goes on. */
  private write(text: string): void {
    if (this.options.out.writable) this.options.out.write(text);
  }

  private plainProgress(): void {
    const interval = this.options.plainIntervalMs ?? 1000;
    if (this.now() - this.lastPlain >= interval) this.writePlainProgress();
    else this.plainPending = true;
  }

  private flushPlainProgress(): void {
    if (this.plainPending) this.writePlainProgress();
  }

  private writePlainProgress(): void {
    this.plainPending = false;
    this.lastPlain = this.now();
    const sent = this.uploaded ? `  (${this.uploaded})` : "";
    this.write(`${clock(this.now())} ${this.progress.toFixed(1)}% ${this.label}${sent}\n`);
  }

  private scheduleRedraw(): void {
    // At most ten redraws a second: a solver writing state.txt in a tight loop must not flood the terminal.
    this.redrawTimer ??= setTimeout(() => {
      this.redrawTimer = undefined;
      this.drawBar();
    }, 100);
  }

  private drawBar(): void {
    const elapsed = formatDuration(this.now() - this.started);
    const suffix = `${this.stage} ${elapsed}${this.uploaded ? `, ${this.uploaded}` : ""}`;
    const line = renderProgressBar(this.progress, this.label, suffix, this.options.out.columns ?? 80);
    this.write(`\r\x1b[2K${line}`);
    this.barShown = true;
  }

  private clearBar(): void {
    if (!this.barShown) return;
    this.write("\r\x1b[2K");
    this.barShown = false;
  }
}

function clock(ms: number): string {
  return new Date(ms).toTimeString().slice(0, 8);
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}
