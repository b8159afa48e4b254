// A board in a child process, spoken to over its stdin and stdout. Its stderr is kept (the last
// lines) so that when the process dies the host can say what it printed. The process dies with the
// host (tied.ts).
import { spawn, type ChildProcess } from "node:child_process";
import { tiedToHost } from "./tied.js";
import { BaseTransport } from "./transport.js";

const KEPT_STDERR_CHARS = 4000;

export interface ProcessOptions {
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Shown in messages before the pid, e.g. "sim board". */
  label?: string;
}

export class ProcessTransport extends BaseTransport {
  readonly child: ChildProcess;
  readonly description: string;
  private stderrText = "";
  private closing = false;
  private readonly exited: Promise<void>;

  constructor(options: ProcessOptions) {
    super();
    // The board dies with the host, whatever kills the host (host/transport/tied.ts).
    const tied = tiedToHost(options.command, options.args);
    this.child = spawn(tied.command, tied.args, { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"], detached: tied.detached });
    this.description = `${options.label ?? "process"} (pid ${this.child.pid ?? "?"})`;
    this.child.stdout!.on("data", (chunk: Buffer) => this.emitData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    this.child.stderr!.setEncoding("utf8");
    this.child.stderr!.on("data", (text: string) => {
      this.stderrText = (this.stderrText + text).slice(-KEPT_STDERR_CHARS);
    });
    // A write racing the process's death fails with EPIPE; the exit below reports the death itself.
    this.child.stdin!.on("error", () => {});
    this.exited = new Promise((resolve) => {
      this.child.once("error", (err) => {
        this.emitClose({ reason: `${this.description} could not start: ${err.message}`, expected: false });
        resolve();
      });
      // "close", not "exit": by then every byte the board wrote on stdout has been read.
      this.child.once("close", (code, signal) => {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        this.emitClose({ reason: `${this.description} ${how}`, expected: this.closing, diagnostics: this.stderr() || undefined });
        resolve();
      });
    });
  }

  /** What the process wrote on stderr (the last few thousand characters). */
  stderr(): string {
    return this.stderrText.trim();
  }

  protected send(bytes: Uint8Array): void {
    this.child.stdin!.write(bytes);
  }

  /** Closes the board's stdin (the board exits on its own), then kills it if it has not after `graceMs`. */
  async close(graceMs = 2000): Promise<void> {
    if (!this.open) return this.exited;
    this.closing = true;
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    try {
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
