// Switching activity measured in a Verilator run: the accelerator runs one GEMM with a training job's
// settings (fp8-mixed: e4m3 operands, products rounded to fp16, sums stochastically rounded to fp16,
// unless a fixed lane names others) on operands drawn like a first layer's (activations in [0, 1),
// weights around 0 with a spread of 0.1, both held in e4m3), with a VCD on. The figure is the toggles of
// every signal bit inside MAC lane (0, 0), per bit and per MAC step of that lane: all the switching the
// lane does (operand fetches included) charged to its multiply-accumulates.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import * as R from "../host/generated/regmap.js";
import { loadDevice } from "../host/device/module.js";
import type { AcceleratorConfig } from "../board/accel/model.js";
import { ROUND_RNE, ROUND_SR } from "../host/generated/formats.js";
import { verilate } from "./verilate.js";
import { RtlSim } from "./rtl-sim.js";
import type { ActivitySource } from "./synth.js";
import type { FixedLane } from "./units.js";
import { repoRoot } from "./generate.js";

/** Bit toggles per signal bit inside the scope path that contains every one of `scope`'s names. */
export function vcdToggles(vcd: string, scope: string[]): { toggles: number; bits: number } {
  const widths = new Map<string, number>();
  const last = new Map<string, string>();
  const path: string[] = [];
  let toggles = 0;
  let i = 0;
  const lines = vcd.split("\n");
  for (; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line.startsWith("$scope")) path.push(line.split(/\s+/)[2]);
    else if (line.startsWith("$upscope")) path.pop();
    else if (line.startsWith("$var")) {
      const [, , width, id] = line.split(/\s+/);
      if (scope.every((s, k) => path[k + 1] === s || path.includes(s))) widths.set(id, Number(width));
    } else if (line.startsWith("$enddefinitions")) break;
  }
  const change = (id: string, value: string) => {
    if (!widths.has(id)) return;
    const before = last.get(id);
    if (before !== undefined) {
      const width = widths.get(id)!;
      const a = before.padStart(width, "0"), b = value.padStart(width, "0");
      for (let k = 0; k < width; k++) if (a[k] !== b[k]) toggles++;
    }
    last.set(id, value);
  };
  for (i++; i < lines.length; i++) {
    const line = lines[i];
    if (line.length === 0 || line[0] === "#" || line[0] === "$") continue;
    if (line[0] === "b") {
      const space = line.indexOf(" ");
      change(line.slice(space + 1).trim(), line.slice(1, space));
    } else {
      change(line.slice(1).trim(), line[0]);
    }
  }
  return { toggles, bits: [...widths.values()].reduce((s, w) => s + w, 0) };
}

/** Measures lane (0, 0)'s activity in a traced run of the board's accelerator. */
export function measureActivity(config: AcceleratorConfig, boardId: string, fixed?: FixedLane): ActivitySource {
  const { binary } = verilate(config, boardId, { trace: true });
  const vcd = join(repoRoot(), "build", "hw", `${boardId}-activity.vcd`);
  const sim = new RtlSim(binary, { vcd });
  const m = 2 * config.rows, n = 2 * config.cols, k = 64;
  // Operands are e4m3 values, rounded by the device's own arithmetic.
  const device = loadDevice().exports;
  const e4m3 = device.fmt_new(R.ACCEL_FMT_E4M3_WORD);
  let seed = 0x2545f491;
  const uniform = () => {
    seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
    return seed / 2 ** 32;
  };
  const f32 = new Float32Array(1), bits = new Uint32Array(f32.buffer);
  const held = (value: number) => { f32[0] = device.round_one(e4m3, ROUND_RNE, 32, 0, value); return bits[0]; };
  const x = new Uint32Array(m * k).map(() => held(uniform()));
  const w = new Uint32Array(k * n).map(() => held((uniform() + uniform() + uniform() - 1.5) * 0.2));
  const xAt = 0, wAt = 4 * x.length, zAt = wAt + 4 * w.length;
  const job = fixed ?? { mulWord: R.ACCEL_FMT_FP16_WORD, mulMode: ROUND_RNE, accWord: R.ACCEL_FMT_FP16_WORD, accMode: ROUND_SR, fma: false };
  try {
    sim.setMemorySize(zAt + 4 * m * n);
    sim.load(xAt, x);
    sim.load(wAt, w);
    const regs: [number, number][] = [
      [R.ACCEL_X_ADDR_OFFSET, xAt], [R.ACCEL_W_ADDR_OFFSET, wAt], [R.ACCEL_Z_ADDR_OFFSET, zAt],
      [R.ACCEL_M_OFFSET, m], [R.ACCEL_N_OFFSET, n], [R.ACCEL_K_OFFSET, k], [R.ACCEL_LDX_OFFSET, k], [R.ACCEL_LDW_OFFSET, n], [R.ACCEL_LDZ_OFFSET, n],
      [R.ACCEL_MUL_FMT_OFFSET, job.mulWord], [R.ACCEL_ACC_FMT_OFFSET, job.accWord],
      [R.ACCEL_ROUND_OFFSET, (job.mulMode << R.ACCEL_ROUND_MUL_SHIFT) | (job.accMode << R.ACCEL_ROUND_ACC_SHIFT)],
      [R.ACCEL_MAC_OFFSET, job.fma ? 1 << R.ACCEL_MAC_FMA_SHIFT : 0], [R.ACCEL_SR_KEY_OFFSET, 0x1234567],
      [R.ACCEL_X_FMT_OFFSET, R.ACCEL_FMT_E4M3_WORD], [R.ACCEL_W_FMT_OFFSET, R.ACCEL_FMT_E4M3_WORD],
    ];
    for (const [offset, value] of regs) sim.write32(offset, value);
    sim.trace(true);
    sim.write32(R.ACCEL_CTRL_OFFSET, 1 << R.ACCEL_CTRL_START_SHIFT);
    sim.run();
    sim.trace(false);
    const status = sim.read32(R.ACCEL_STATUS_OFFSET);
    if (status !== 1 << R.ACCEL_STATUS_DONE_SHIFT) throw new Error(`activity run: expected STATUS DONE, received 0x${status.toString(16)} (a format or mode the board's accelerator lacks?)`);
  } finally {
    sim.close();
  }
  const { toggles, bits: laneBits } = vcdToggles(readFileSync(vcd, "utf8"), ["g_row[0]", "g_col[0]", "u_lane"]);
  rmSync(vcd, { force: true });
  const steps = 4 * k; // lane (0, 0) steps K times in each of the 2 x 2 tiles
  return {
    activity: Number((toggles / (laneBits * steps)).toFixed(4)),
    source: `Verilator VCD of board ${boardId}: lane (0, 0) over a ${m}x${n}x${k} GEMM (e4m3-held operands like a first layer's), ${toggles} toggles of ${laneBits} signal bits in ${steps} MAC steps`,
  };
}
