// Progress of long work: a cli-progress bar on a terminal, plain lines otherwise (a pipe, a file, CI),
// so logs stay readable. One interface for both, so callers do not care which they have.
import cliProgress, { type GenericBar, type MultiBar } from "cli-progress";

export interface Progress {
  /** Starts a new bar (or block of lines) of `total` steps. */
  start(total: number, label: string): void;
  /** Sets the steps done (shown as at most the total) and says what is happening now. */
  update(done: number, detail?: string): void;
  /** A line of its own (printed above the bar on a terminal). */
  log(line: string): void;
  /** Ends the bar; further updates are ignored until the next start. */
  stop(): void;
}

export interface ProgressOptions {
  /** Where to draw (default process.stdout). */
  stream?: NodeJS.WriteStream | NodeJS.WritableStream;
  /** Force the bar (true) or plain lines (false); default: a bar when the stream is a terminal. */
  tty?: boolean;
}

/** Plain lines: one when the label or detail changes, never a control character. */
class LineProgress implements Progress {
  private label = "";
  private total = 0;
  private lastDetail: string | undefined;
  private active = false;

  constructor(private readonly stream: NodeJS.WritableStream) {}

  start(total: number, label: string): void {
    this.label = label;
    this.total = total;
    this.lastDetail = undefined;
    this.active = true;
  }

  update(done: number, detail?: string): void {
    if (!this.active || detail === this.lastDetail) return;
    this.lastDetail = detail;
    this.stream.write(`${this.label} [${Math.min(done, this.total)}/${this.total}]${detail ? ` ${detail}` : ""}\n`);
  }

  log(line: string): void {
    this.stream.write(`${line}\n`);
  }

  stop(): void {
    this.active = false;
  }
}

/** "ETA 1m05s " from the time so far and the share done (nothing until some is done). */
function eta(elapsedMs: number, done: number, total: number): string {
  if (done <= 0 || done >= total) return "";
  const seconds = Math.round(((elapsedMs / done) * (total - done)) / 1000);
  const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
  return `ETA ${h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : m > 0 ? `${m}m${String(s).padStart(2, "0")}s` : `${s}s`} `;
}

class BarProgress implements Progress {
  private readonly multibar: MultiBar;
  private bar: GenericBar | null = null;
  private total = 0;
  private startedAt = 0;

  constructor(stream: NodeJS.WritableStream) {
    this.multibar = new cliProgress.MultiBar(
      { format: "{label} |{bar}| {value}/{total} {remaining}{detail}", stream, hideCursor: true, clearOnComplete: false, barsize: 30 },
      cliProgress.Presets.shades_classic,
    );
  }

  start(total: number, label: string): void {
    if (this.bar) this.multibar.remove(this.bar);
    this.total = total;
    this.startedAt = performance.now();
    this.bar = this.multibar.create(total, 0, { label, detail: "", remaining: "" });
  }

  update(done: number, detail?: string): void {
    const value = Math.min(done, this.total);
    this.bar?.update(value, { ...(detail === undefined ? {} : { detail }), remaining: eta(performance.now() - this.startedAt, value, this.total) });
  }

  log(line: string): void {
    this.multibar.log(`${line}\n`);
  }

  stop(): void {
    this.multibar.stop();
    this.bar = null;
  }
}

export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stdout;
  const tty = options.tty ?? Boolean((stream as NodeJS.WriteStream).isTTY);
  return tty ? new BarProgress(stream) : new LineProgress(stream);
}

/** Progress that shows nothing (quiet runs, tests). */
export const silentProgress: Progress = { start() {}, update() {}, log() {}, stop() {} };
