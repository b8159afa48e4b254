// Bus scripts for the C accelerator model: a sequence of register accesses and memory writes that the
// TypeScript model (board/accel/model.ts) executes as it is recorded, and that
// test/firmware/accel_model_harness.c replays on the C model (firmware/src/accel_model.c). The two must
// return the same values for every read and leave the same memory behind.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { AcceleratorConfig, AcceleratorModel } from "../../board/accel/model";
import { ACCEL_FORMATS } from "../../host/generated/regmap";
import { ROUNDING } from "../../host/generated/formats";

const OP_WRITE = 0, OP_READ = 1, OP_RESIZE = 2, OP_PEEK = 4, OP_POKE = 5;
const MAGIC = 0x4a4d4341; // "ACMJ"

const firmwareDir = fileURLToPath(new URL("../../firmware/", import.meta.url));
const harnessSource = fileURLToPath(new URL("./accel_model_harness.c", import.meta.url));

/** A harness variant: how the C model is compiled and how it reaches memory. */
export interface HarnessBuild {
  name: string;
  flags: string[];
}

export const HARNESS_BUILDS: HarnessBuild[] = [
  { name: "gcc -O2, base pointer", flags: ["-O2"] },
  { name: "gcc -O0, load32/store32", flags: ["-O0", "-DSELF_TEST_LOADSTORE"] },
];

/** The device process's engine library (the device module's gemm for the host) beside a qemu board's image. */
export function engineLibrary(elf: string): string {
  return join(dirname(elf), "host", "libaccel_engine.a");
}

/** Compiles the harness as C99, warnings as errors, with the engine library `engine`; returns the executable. */
export function buildHarness(dir: string, engine: string, build: HarnessBuild, name = `accel_model_harness${HARNESS_BUILDS.indexOf(build)}`): string {
  mkdirSync(dir, { recursive: true });
  const exe = join(dir, name);
  execFileSync("gcc", ["-std=c99", "-ffp-contract=off", "-Wall", "-Wextra", "-Wpedantic", "-Werror", ...build.flags,
    "-I", join(firmwareDir, "include"), "-I", join(firmwareDir, "src"), "-I", join(firmwareDir, "device"),
    join(firmwareDir, "src", "accel_model.c"), harnessSource, engine, "-lm", "-o", exe], { stdio: ["ignore", "pipe", "pipe"] });
  return exe;
}

function execute(exe: string, input: string, output: string): void {
  execFileSync(exe, [input, output], { stdio: ["ignore", "pipe", "pipe"] });
}

const FORMAT_BIT = new Map(ACCEL_FORMATS.map((f) => [f.id, f.bit]));
const ROUND_CODE = new Map<string, number>(ROUNDING.map((r) => [r.name, r.code]));

/** The config as accel_config_t's fields, in the script's order. */
function configWords(config: AcceleratorConfig): Buffer {
  const parts: Buffer[] = [];
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    parts.push(b);
  };
  const f64 = (v: number) => {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    parts.push(b);
  };
  const mask = (ids: string[], table: Map<string, number>) => ids.reduce((m, id) => m | (1 << table.get(id)!), 0);
  u32(config.rows);
  u32(config.cols);
  f64(config.bandwidthBytesPerCycle);
  u32(config.setupCycles);
  u32(mask(config.productFormats, FORMAT_BIT));
  u32(mask(config.accumulatorFormats, FORMAT_BIT));
  u32(mask(config.rounding, ROUND_CODE));
  u32(config.fma ? 1 : 0);
  u32(config.fast ? 1 : 0);
  u32(config.packed ? 1 : 0);
  u32(config.busyPolls);
  u32(config.cycleModel === "rtl" ? 1 : 0);
  u32(config.energy.multiply.length);
  for (const a of config.energy.multiply) {
    f64(a.p);
    f64(a.pj);
  }
  u32(config.energy.add.length);
  for (const a of config.energy.add) {
    f64(a.bits);
    f64(a.pj);
  }
  f64(config.energy.srDrawPj);
  f64(config.energy.srAddPjPerBit);
  f64(config.energy.memoryPjPer64Bits);
  return Buffer.concat(parts);
}

/** What one result of the script is, for failure messages. */
export interface ResultLabel {
  what: string;
  /** Context of the job or case the result belongs to. */
  context: string;
}

export class BusScript {
  readonly model: AcceleratorModel;
  private memory: ArrayBuffer;
  private readonly initial: Uint8Array;
  private readonly ops: number[] = [];
  /** The TypeScript model's answer to every read and peek, in order. */
  readonly expected: number[] = [];
  readonly labels: ResultLabel[] = [];
  context = "";

  constructor(readonly config: AcceleratorConfig, memoryBytes: number) {
    this.memory = new ArrayBuffer(memoryBytes);
    this.initial = new Uint8Array(memoryBytes);
    this.model = new AcceleratorModel(config, () => this.memory);
  }

  get memoryBytes(): number {
    return this.memory.byteLength;
  }

  private op(kind: number, ...args: number[]): void {
    const words = [kind, ...args];
    while (words.length < 9) words.push(0);
    for (const w of words) this.ops.push(w >>> 0);
  }

  private result(value: number, what: string): number {
    this.expected.push(value >>> 0);
    this.labels.push({ what, context: this.context });
    return value >>> 0;
  }

  write(address: number, value: number): void {
    this.op(OP_WRITE, address, value);
    this.model.write32(address, value);
  }

  read(address: number, what = `read 0x${(address >>> 0).toString(16)}`): number {
    this.op(OP_READ, address);
    return this.result(this.model.read32(address), what);
  }

  /** memory.grow (or a smaller memory, which a board never has, to test bounds): new bytes are zero. */
  resize(bytes: number): void {
    this.op(OP_RESIZE, bytes);
    const next = new ArrayBuffer(bytes);
    new Uint8Array(next).set(new Uint8Array(this.memory, 0, Math.min(bytes, this.memory.byteLength)));
    this.memory = next;
  }

  poke(offset: number, value: number): void {
    this.op(OP_POKE, offset, value);
    new DataView(this.memory).setUint32(offset, value >>> 0, true);
  }

  peek(offset: number, what: string): number {
    this.op(OP_PEEK, offset);
    return this.result(new DataView(this.memory).getUint32(offset, true), what);
  }

  /** The script file's bytes. */
  bytes(): Buffer {
    const header = Buffer.alloc(4);
    header.writeUInt32LE(MAGIC);
    const size = Buffer.alloc(4);
    size.writeUInt32LE(this.initial.length);
    const count = Buffer.alloc(4);
    count.writeUInt32LE(this.ops.length / 9);
    const ops = Buffer.alloc(this.ops.length * 4);
    this.ops.forEach((w, i) => ops.writeUInt32LE(w, i * 4));
    return Buffer.concat([header, configWords(this.config), size, Buffer.from(this.initial), count, ops]);
  }

  /** The final memory of the TypeScript side. */
  finalMemory(): Uint8Array {
    return new Uint8Array(this.memory);
  }
}

export interface HarnessRun {
  results: number[];
  memory: Uint8Array;
}

/** Runs the script on the compiled C model. */
export function runHarness(exe: string, script: BusScript, dir: string, name: string): HarnessRun {
  const input = join(dir, `${name}.script`);
  const output = join(dir, `${name}.out`);
  writeFileSync(input, script.bytes());
  execute(exe, input, output);
  const out = readFileSync(output);
  const count = out.readUInt32LE(0);
  const results: number[] = [];
  for (let i = 0; i < count; i++) results.push(out.readUInt32LE(4 + 4 * i));
  const at = 4 + 4 * count;
  const size = out.readUInt32LE(at);
  return { results, memory: new Uint8Array(out.buffer, out.byteOffset + at + 4, size) };
}
