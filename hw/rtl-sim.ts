// The verilated accelerator as a synchronous object: a child process running the bus harness
// (hw/tb/edgecl_tb.cpp), spoken to through two FIFOs with blocking reads and writes, so a board's
// mmio_read32 / mmio_write32 (synchronous calls) can reach it.
import { spawn, ChildProcess, execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HARNESS_COMMANDS as CMD } from "../host/generated/harness.js";

export class RtlSim {
  private readonly child: ChildProcess;
  private readonly dir: string;
  private readonly toSim: number;
  private readonly fromSim: number;
  private closed = false;
  /** Clock cycles run since the harness started (bus writes and RUN). */
  cycles = 0;

  constructor(binary: string, options: { vcd?: string } = {}) {
    this.dir = mkdtempSync(join(tmpdir(), "edgecl-rtl-"));
    const request = join(this.dir, "request");
    const reply = join(this.dir, "reply");
    execFileSync("mkfifo", [request, reply]);
    this.child = spawn(binary, [request, reply, options.vcd ?? join(this.dir, "trace.vcd")], { stdio: ["ignore", "ignore", "inherit"] });
    // The harness opens request then reply, in this order too, so neither side waits forever.
    this.toSim = openSync(request, "w");
    this.fromSim = openSync(reply, "r");
  }

  private send(words: ArrayLike<number>): void {
    const buffer = new Uint32Array(words.length);
    for (let i = 0; i < words.length; i++) buffer[i] = words[i] >>> 0;
    const bytes = new Uint8Array(buffer.buffer);
    let done = 0;
    while (done < bytes.length) done += writeSync(this.toSim, bytes, done, bytes.length - done);
  }

  private receive(count: number): Uint32Array {
    const out = new Uint32Array(count);
    const bytes = new Uint8Array(out.buffer);
    let done = 0;
    while (done < bytes.length) {
      const n = readSync(this.fromSim, bytes, done, bytes.length - done, null);
      if (n === 0) throw new Error("RTL simulation ended unexpectedly (the harness closed its reply pipe)");
      done += n;
    }
    return out;
  }

  /** A linear memory of `bytes` bytes, zero-filled. */
  setMemorySize(bytes: number): void {
    this.send([CMD.size, bytes]);
  }

  load(address: number, words: Uint32Array): void {
    const header = [CMD.load, address, words.length];
    const all = new Uint32Array(header.length + words.length);
    all.set(header);
    all.set(words, header.length);
    this.send(all);
  }

  dump(address: number, count: number): Uint32Array {
    this.send([CMD.dump, address, count]);
    return this.receive(count);
  }

  write32(offset: number, value: number): void {
    this.send([CMD.write, offset, value]);
    this.cycles++;
  }

  read32(offset: number): number {
    this.send([CMD.read, offset]);
    return this.receive(1)[0];
  }

  /** Clocks until STATUS.BUSY is 0 (at most `limit` cycles; 0: no limit); returns the cycles run. */
  run(limit = 0): number {
    this.send([CMD.run, limit]);
    const cycles = this.receive(1)[0];
    this.cycles += cycles;
    return cycles;
  }

  /** Starts or stops the VCD (a harness built with tracing). */
  trace(on: boolean): void {
    this.send([CMD.trace, on ? 1 : 0]);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.send([CMD.quit]);
    } catch {
      // the harness is gone already
    }
    closeSync(this.toSim);
    closeSync(this.fromSim);
    this.child.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
