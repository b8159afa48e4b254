// The accelerator on the RISC-V firmware, through the real device module: the SELFTEST=accel image
// (firmware/src/selftest_accel.c) runs jobs through the module's own driver (accel_gemm, which programs
// the accelerator's PCIe device, served by the device process edgecl-accel-device around the C model)
// and through its CPU kernel (gemm), on QEMU. Every Z word and every
// counter must equal what the TypeScript model (board/accel/model.ts, configured from the same board
// manifest) gives for the same job, and the CPU kernel's Z must equal it too. The qemu-rv32-noaccel
// image (ACCEL=0) has no accelerator and the same CPU results. The image also reads minstret around the
// CPU GEMM under -icount: the figures must be there and consistent (docs/benchmarks.md records them).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { AcceleratorConfig, AcceleratorModel, DEFAULT_ACCELERATOR, acceleratorConfigFrom } from "../../board/accel/model";
import { drawAt } from "../helpers/stream";
import { DEFAULT_RAM_MB, firmwareDir, requireToolchain, runQemu } from "../../host/firmware/index.js";
import { hex, showF32 } from "../helpers/bits";

const run = promisify(execFile);
const deviceWasm = fileURLToPath(new URL("../../build/device.wasm", import.meta.url));
const manifest = (id: string) => JSON.parse(readFileSync(new URL(`../../board/${id}.json`, import.meta.url), "utf8"));
const qemuRv32 = manifest("qemu-rv32");
const BOARD_CONFIG = acceleratorConfigFrom(qemuRv32.accelerator, qemuRv32.energy, "board/qemu-rv32.json");
// The reference for the CPU kernel: a model that takes every format and mode (bit-exact with the kernel by design).
const EVERYTHING: AcceleratorConfig = {
  ...DEFAULT_ACCELERATOR,
  productFormats: ["e4m3", "e5m2", "fp16", "bf16", "fp32"],
  accumulatorFormats: ["e4m3", "e5m2", "fp16", "bf16", "fp32"],
  rounding: ["rne", "rna", "rz", "ru", "rd", "ro", "sr"],
};
const FP32_WORD = 0x00170800;
const QEMU_TIMEOUT_MS = 60_000;

let tmp = "";
let withAccel = "";
let withoutAccel = "";
let setupError: unknown;

async function buildImage(out: string, wasm: string, vars: string[]): Promise<string> {
  await run("make", ["-C", firmwareDir(), "-j2", `O=${out}`, `WASM=${wasm}`, `ENGINE_WASM=${wasm}`, "ENTRY=selftest", "SELFTEST=accel", ...vars], { maxBuffer: 64 << 20 });
  return join(out, "edgecl.elf");
}

/** Boots an image with -icount (minstret counts instructions), with its accelerator's device process when it has one, and returns what it printed. */
async function boot(elf: string): Promise<string> {
  const device = join(dirname(elf), "edgecl-accel-device");
  const accelDevice = existsSync(device) ? device : undefined;
  const result = await runQemu({ elf, ramMb: DEFAULT_RAM_MB }, QEMU_TIMEOUT_MS, { icountShift: 0, accelDevice });
  if (result.timedOut || result.exit.code !== 0) throw new Error(`the self-test image ${elf} ended with ${JSON.stringify(result.exit)}${result.timedOut ? " (timed out)" : ""}: ${result.stderr}`);
  return result.output;
}

beforeAll(async () => {
  try {
    requireToolchain(["build", "run"]);
    tmp = mkdtempSync(join(tmpdir(), "edgecl-accel-qemu-"));
    // The board manifests decide: qemu-rv32 has the accelerator (ACCEL defaults to 1), qemu-rv32-noaccel not.
    const boards = join(firmwareDir(), "..", "board");
    // Both images from one copy of the module, so they run the same CPU kernel even if build/ changes meanwhile.
    const wasm = join(tmp, "device.wasm");
    copyFileSync(deviceWasm, wasm);
    withAccel = await boot(await buildImage(join(tmp, "accel"), wasm, [`BOARD=${join(boards, "qemu-rv32.json")}`]));
    withoutAccel = await boot(await buildImage(join(tmp, "noaccel"), wasm, [`BOARD=${join(boards, "qemu-rv32-noaccel.json")}`]));
  } catch (err) {
    const { stderr, stdout } = err as { stderr?: string; stdout?: string };
    setupError = new Error(`${(err as Error).message}\n${stderr ?? ""}\n${stdout ?? ""}`.trim());
  }
  // Two images from scratch, the accelerator's device process and its engine (the module for the host) with the first.
}, 900_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function ready(): void {
  if (setupError) throw setupError;
}

/** "step -> outcome" lines as a map (each step printed once). */
function outcomes(output: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of output.split("\n")) {
    const at = line.lastIndexOf(" -> ");
    if (at > 0) map.set(line.slice(0, at), line.slice(at + 4).trim());
  }
  return map;
}

interface Job {
  name: string;
  m: number; n: number; k: number; ldx: number; ldw: number; ldz: number;
  transX: boolean; transW: boolean; accumulate: boolean;
  mulWord: number; mulMode: number; accWord: number; accMode: number;
  fma: boolean; fast: boolean; srBits: number; key: number; xWord: number; wWord: number;
  family: number; seed: number;
}

function jobsOf(output: string): Job[] {
  const jobs: Job[] = [];
  for (const [step, outcome] of outcomes(output)) {
    const match = /^job (.*): params$/.exec(step);
    if (!match) continue;
    const f = outcome.split(" ");
    const dec = (i: number) => Number.parseInt(f[i], 10);
    const hx = (i: number) => Number.parseInt(f[i], 16) >>> 0;
    jobs.push({
      name: match[1], m: dec(0), n: dec(1), k: dec(2), ldx: dec(3), ldw: dec(4), ldz: dec(5),
      transX: dec(6) === 1, transW: dec(7) === 1, accumulate: dec(8) === 1, mulWord: hx(9), mulMode: dec(10), accWord: hx(11), accMode: dec(12),
      fma: dec(13) === 1, fast: dec(14) === 1, srBits: dec(15), key: hx(16), xWord: hx(17), wWord: hx(18), family: dec(19), seed: dec(20),
    });
  }
  return jobs;
}

// selftest_accel.c's operand(): f32 bits from two draws of the SR stream, rebuilt here from its rule.
const NARROW = 0, WIDE = 1, SPECIAL = 2;
function operand(seed: number, i: number, family: number): number {
  const d = drawAt(seed, i), e = drawAt((seed ^ 0xa5a5a5a5) >>> 0, i);
  const sign = (d & 0x80000000) >>> 0;
  if (family === SPECIAL) {
    const pick = d % 16;
    const fixed = [0x7fc00000, (sign | 0x7f800000) >>> 0, sign, (sign | 0x7149f2ca) >>> 0, (sign | 0x0da24260) >>> 0, (sign | 0x47800000) >>> 0, (sign | 0x43f00000) >>> 0];
    if (pick < fixed.length) return fixed[pick];
    family = (d >>> 4) & 1 ? WIDE : NARROW;
  }
  if (family === NARROW) return (sign | ((121 + (d % 10)) << 23) | ((e & 7) << 20)) >>> 0;
  return (sign | ((97 + (d % 61)) << 23) | (e & 0x7fffff)) >>> 0;
}

const COUNTER_OFFSETS = [0x80, 0x84, 0x88, 0x8c, 0x90, 0x94, 0x98, 0x9c, 0xa0, 0xa4, 0xa8, 0x64, 0x68];

/** The job as the driver runs it (assembly/accel/driver.ts), on a TypeScript model: status, Z, counters. */
function modelled(job: Job, config: AcceleratorConfig) {
  const xs = (job.transX ? job.k : job.m) * job.ldx, ws = (job.transW ? job.n : job.k) * job.ldw, zs = job.m * job.ldz;
  const memory = new ArrayBuffer(4 * (xs + ws + zs) + 64);
  const words = new Uint32Array(memory);
  const x = 16, w = x + 4 * xs, z = w + 4 * ws;
  for (let i = 0; i < xs; i++) words[x / 4 + i] = operand(job.seed, i, job.family);
  for (let i = 0; i < ws; i++) words[w / 4 + i] = operand(job.seed, 1000 + i, job.family);
  for (let i = 0; i < zs; i++) words[z / 4 + i] = operand(job.seed, 2000 + i, job.family);
  const model = new AcceleratorModel(config, () => memory);
  const base = 0x40000000;
  const write = (offset: number, value: number) => model.write32(base + offset, value);
  // A null format is fp32 with rne; fast takes precedence over fma (driver.ts).
  const mulMode = job.mulWord === 0 ? 0 : job.mulMode, accMode = job.accWord === 0 ? 0 : job.accMode;
  write(0x60, 2);
  for (const [offset, value] of [
    [0x10, x], [0x14, w], [0x18, z], [0x1c, job.m], [0x20, job.n], [0x24, job.k], [0x28, job.ldx], [0x2c, job.ldw], [0x30, job.ldz],
    [0x34, (job.accumulate ? 1 : 0) | (job.transX ? 2 : 0) | (job.transW ? 4 : 0)],
    [0x38, job.mulWord || FP32_WORD], [0x3c, job.accWord || FP32_WORD], [0x40, mulMode | (accMode << 4)],
    [0x44, job.fast ? 2 : job.fma ? 1 : 0], [0x48, job.srBits], [0x4c, job.key], [0x50, job.xWord], [0x54, job.wWord],
  ]) write(offset, value);
  write(0x60, 1);
  const status = (model.read32(base + 0x64) >>> 8) & 0xff;
  const counters = COUNTER_OFFSETS.map((offset) => model.read32(base + offset) >>> 0);
  const zWords = Array.from(words.subarray(z / 4, z / 4 + zs), (v) => hex(v).slice(2));
  return { status, zWords, counters };
}

/** Z words printed by the image against the expected ones; the first differences in decimal and hex. */
function sameZ(job: Job, printed: string | undefined, want: string[], what: string): void {
  expect(printed, `${job.name}: ${what} printed`).toBeDefined();
  const got = printed!.split(" ");
  const diffs: string[] = [];
  for (let i = 0; i < Math.max(got.length, want.length) && diffs.length < 6; i++) {
    if (got[i] === want[i]) continue;
    diffs.push(`Z[${Math.floor(i / job.ldz)}][${i % job.ldz}]: got ${showF32(Number.parseInt(got[i] ?? "0", 16))}, want ${showF32(Number.parseInt(want[i] ?? "0", 16))}`);
  }
  expect(diffs.join("\n"), `${job.name}: ${what} (${JSON.stringify(job)})`).toBe("");
}

describe("qemu-rv32: the device process behind the module's driver, on QEMU", () => {
  it("the image boots, finds the accelerator and finishes", () => {
    ready();
    const o = outcomes(withAccel);
    expect(o.get("accel_present")).toBe("i32 1");
    expect(withAccel).toContain("selftest done");
    expect(jobsOf(withAccel).length).toBeGreaterThanOrEqual(9);
  });

  it("every job: the driver's status, Z and the counters equal the TypeScript model's; the CPU kernel's Z equals it too", () => {
    ready();
    const o = outcomes(withAccel);
    let accepted = 0, refused = 0;
    for (const job of jobsOf(withAccel)) {
      const onBoard = modelled(job, BOARD_CONFIG);
      expect(o.get(`job ${job.name}: accel_gemm`), job.name).toBe(`i32 ${onBoard.status}`);
      sameZ(job, o.get(`job ${job.name}: accel z`), onBoard.zWords, "accelerator Z");
      expect(o.get(`job ${job.name}: counters`)?.split(" ").map(Number), `${job.name}: counters`).toEqual(onBoard.counters);
      const reference = modelled(job, EVERYTHING);
      expect(reference.status, `${job.name}: the all-capable model runs it`).toBe(0);
      expect(o.get(`job ${job.name}: gemm`)).toBe("i32 0");
      sameZ(job, o.get(`job ${job.name}: cpu z`), reference.zWords, "CPU kernel Z");
      if (onBoard.status === 0) accepted++;
      else refused++;
    }
    expect(accepted).toBeGreaterThanOrEqual(7);
    expect(refused).toBeGreaterThanOrEqual(2); // by the board's capabilities: fp32 products, rna
  });
});

describe("qemu-rv32-noaccel: no accelerator (ACCEL=0)", () => {
  it("nothing answers on the bus; every job runs on the CPU with the same bits as on qemu-rv32", () => {
    ready();
    const o = outcomes(withoutAccel);
    const a = outcomes(withAccel);
    expect(o.get("accel_present")).toBe("i32 0");
    for (const job of jobsOf(withoutAccel)) {
      expect(o.get(`job ${job.name}: accel_gemm`), job.name).toBe("i32 -1"); // ACCEL_NOT_PRESENT
      expect(o.get(`job ${job.name}: counters`)?.split(" ").map(Number), job.name).toEqual(COUNTER_OFFSETS.map(() => 0xffffffff));
      // Z untouched by the absent accelerator: the initial operands.
      const zs = job.m * job.ldz;
      const initial = Array.from({ length: zs }, (_, i) => hex(operand(job.seed, 2000 + i, job.family)).slice(2));
      sameZ(job, o.get(`job ${job.name}: accel z`), initial, "Z without an accelerator");
      expect(o.get(`job ${job.name}: cpu z`), job.name).toBe(a.get(`job ${job.name}: cpu z`));
    }
  });
});

describe("instructions per MAC of the CPU GEMM (minstret under -icount)", () => {
  it("prints a count for every case; e4m3 emulation costs more than the plain f32 loop; the accelerator's figures are the model's; the image without the accelerator counts the same", () => {
    ready();
    const counts = new Map<string, number>();
    for (const [step, outcome] of outcomes(withAccel)) {
      const match = /^instret (.*) 32x32x32$/.exec(step);
      if (!match) continue;
      const [instructions, status] = outcome.split(" ").map(Number);
      expect(status, step).toBe(0);
      counts.set(match[1], instructions);
    }
    expect([...counts.keys()].sort()).toEqual([
      "e4m3*e4m3->fp16 rne, e4m3 operands", "e4m3*e4m3->fp16 rne, f32 operands", "e4m3*e4m3->fp16 sr, e4m3 operands", "fp32", "gemm_f32_plain",
    ]);
    const plain = counts.get("gemm_f32_plain")!;
    expect(plain).toBeGreaterThan(32 ** 3); // at least one instruction per MAC
    // fp32 with rne is plain f32 arithmetic (the kernel may run it as such); e4m3 emulation rounds every step.
    expect(counts.get("fp32")!).toBeGreaterThan(32 ** 3);
    for (const [name, count] of counts) if (name.startsWith("e4m3")) expect(count, name).toBeGreaterThan(plain);
    // The e4m3 cases also ran on the accelerator: status, cycles and energy as the TypeScript model charges them.
    const E4M3 = 0x00030410, FP16 = 0x000a0500;
    for (const [name, accMode] of [["e4m3*e4m3->fp16 rne, e4m3 operands", 0], ["e4m3*e4m3->fp16 sr, e4m3 operands", 6]] as const) {
      const job: Job = {
        name, m: 32, n: 32, k: 32, ldx: 32, ldw: 32, ldz: 32, transX: false, transW: false, accumulate: false,
        mulWord: E4M3, mulMode: 0, accWord: FP16, accMode, fma: false, fast: false, srBits: 32, key: 0x77, xWord: E4M3, wWord: E4M3,
        family: NARROW, seed: 100,
      };
      const { status, counters } = modelled(job, BOARD_CONFIG);
      expect(outcomes(withAccel).get(`accel ${name} 32x32x32`), name).toBe(`${status} ${counters[0]} ${counters[8]} ${counters[9]}`);
    }
    // Instruction counts do not depend on the host: the image without the accelerator runs the same CPU
    // kernel on the same operands (only the call's own path may differ by a few instructions).
    for (const [step, outcome] of outcomes(withoutAccel)) {
      const match = /^instret (.*) 32x32x32$/.exec(step);
      if (match) expect(Math.abs(Number(outcome.split(" ")[0]) - counts.get(match[1])!), step).toBeLessThan(100);
    }
  });
});
