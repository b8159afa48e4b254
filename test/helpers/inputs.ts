// Test inputs built from a format's own grid (reference enumeration): exact values, exact ties and their
// f32 neighbours, values around the largest value and the overflow threshold, plus structured random bits.
import { bitsF32, f32Bits, structuredBits, TestRandom } from "./bits.js";
import type { RefFormat } from "./reference.js";

const exactBits = (value: number): number | null => {
  const bits = f32Bits(value);
  return bitsF32(bits) === value && Number.isFinite(value) ? bits : null;
};

/** The next f32 away from zero / toward zero of a positive finite f32 (bits). */
const nextUp = (bits: number): number => bits + 1;
const nextDown = (bits: number): number => (bits > 0 ? bits - 1 : 0);

/** About n inputs for `ref`, deterministic in `seed`. */
export function inputsFor(ref: RefFormat, n: number, seed: number): Uint32Array {
  const random = new TestRandom(seed);
  const out: number[] = [];
  const grid = ref.grid;
  const unit = 2 ** ref.unitExp;
  const value = (i: number) => Number(grid[i]) * unit;
  const push = (bits: number | null) => {
    if (bits === null) return;
    out.push(bits >>> 0, (bits | 0x80000000) >>> 0);
  };
  const around = (bits: number | null) => {
    if (bits === null) return;
    push(bits);
    push(nextUp(bits));
    push(nextDown(bits));
  };

  // Fixed landmarks: zero, the smallest steps, the largest value, the tie past it, the step past it, far beyond.
  const last = grid.length - 1;
  for (const i of [0, 1, 2, 3, last - 2, last - 1, last]) if (i >= 0 && i <= last) around(exactBits(value(i)));
  for (const i of [0, 1, last - 2, last - 1]) if (i >= 0 && i < last) around(exactBits((value(i) + value(i + 1)) / 2));
  for (const i of [0, 1]) if (i < last) for (const q of [0.25, 0.75]) around(exactBits(value(i) + (value(i + 1) - value(i)) * q));
  around(exactBits(Math.fround(value(last) * 2)));
  around(exactBits(Math.fround(value(last) * 1024)));
  push(0x7f7fffff);
  push(0x7f800000);
  push(0x7fc00000);
  push(0x7fa00001); // a signalling NaN with payload
  push(1); // the smallest f32 subnormal
  push(0x007fffff); // the largest f32 subnormal
  push(0x00800000);

  const share = Math.floor((n - out.length) / 4);
  // Exact values and exact ties anywhere on the grid, with their f32 neighbours.
  for (let k = 0; k < share / 6; k++) {
    const i = random.int(0, last - 1);
    around(exactBits(value(i)));
    const tie = exactBits((value(i) + value(i + 1)) / 2);
    around(tie);
  }
  // Random positions between neighbours (stochastic fractions), any f32 bits in between.
  for (let k = 0; k < share / 2; k++) {
    const i = random.int(0, last - 1);
    push(exactBits(Math.fround(value(i) + (value(i + 1) - value(i)) * random.unit())));
  }
  const lowExp = ref.unitExp;
  const highExp = Math.ceil(Math.log2(value(last)));
  for (const bits of structuredBits(random, n - out.length, lowExp, highExp)) out.push(bits);
  return Uint32Array.from(out);
}
