// Boundary tables of the OCP 8-bit and MX element formats, written by hand from the OCP OFP8 and
// Microscaling tables (max, min normal, min subnormal, inf/NaN), for every deterministic mode and both
// saturate settings; subnormals off; and the worked vectors of the OCP conversion rules.
import { describe, expect, it } from "vitest";
import { ArithDevice, modeCode, testFormat } from "../helpers/device.js";
import { f32Bits, Mismatches } from "../helpers/bits.js";
import { DETERMINISTIC_MODES } from "../helpers/reference.js";

type Expected = number | "nan" | "-nan";
/** One input; results in the order rne, rna, rz, ru, rd, ro, without and with saturation. */
type Row = [x: number, plain: Expected[], saturated?: Expected[]];

const all = (v: Expected): Expected[] => [v, v, v, v, v, v];
const expectedBits = (v: Expected): number => (v === "nan" ? 0x7fc00000 : v === "-nan" ? 0xffc00000 : f32Bits(v));

// Rows shared by every format: s is the smallest subnormal. Half of it is the tie between 0 (even) and s
// (odd); -x rounds to -0, never +0.
function smallestRows(s: number): Row[] {
  return [
    [s, all(s)],
    [s / 2, [0, s, 0, s, 0, s]],
    [s / 4, [0, 0, 0, s, 0, s]],
    [(3 * s) / 4, [s, s, 0, s, 0, s]],
    [(3 * s) / 2, [2 * s, 2 * s, s, 2 * s, s, s]],
    [2 ** -149, [0, 0, 0, s, 0, s]],
    [-s, all(-s)],
    [-s / 2, [-0, -s, -0, -0, -s, -s]],
    [-s / 4, [-0, -0, -0, -0, -s, -s]],
    [(-3 * s) / 4, [-s, -s, -0, -0, -s, -s]],
    [0, all(0)],
    [-0, all(-0)],
  ];
}

const M4 = 448;
const M5 = 57344;
const inf = Infinity;

const TABLES: Record<string, { max: number; minNormal: number; minSubnormal: number; bias: number; inf: boolean; nan: boolean; rows: Row[] }> = {
  // E4M3: max 448 = S.1111.110, the next step 480 is the NaN code; no inf: overflow gives NaN or 448.
  e4m3: {
    max: 448, minNormal: 2 ** -6, minSubnormal: 2 ** -9, bias: 7, inf: false, nan: true,
    rows: [
      [448, all(M4)],
      [456, [M4, M4, M4, "nan", M4, M4], all(M4)],
      [464, [M4, "nan", M4, "nan", M4, M4], all(M4)], // the tie stays at 448, the even code
      [465, ["nan", "nan", M4, "nan", M4, M4], all(M4)],
      [480, ["nan", "nan", M4, "nan", M4, M4], all(M4)],
      [1e6, ["nan", "nan", M4, "nan", M4, M4], all(M4)],
      [inf, all("nan"), all(M4)],
      [-448, all(-M4)],
      [-456, [-M4, -M4, -M4, -M4, "-nan", -M4], all(-M4)],
      [-464, [-M4, "-nan", -M4, -M4, "-nan", -M4], all(-M4)],
      [-465, ["-nan", "-nan", -M4, -M4, "-nan", -M4], all(-M4)],
      [-inf, all("-nan"), all(-M4)],
      [NaN, all("nan"), all("nan")],
      ...smallestRows(2 ** -9),
    ],
  },
  // E5M2: max 57344 = S.11110.11, inf = S.11111.00; the tie 61440 goes to the even 2^16, past max: inf.
  e5m2: {
    max: 57344, minNormal: 2 ** -14, minSubnormal: 2 ** -16, bias: 15, inf: true, nan: true,
    rows: [
      [57344, all(M5)],
      [59392, [M5, M5, M5, inf, M5, M5], all(M5)],
      [61439, [M5, M5, M5, inf, M5, M5], all(M5)],
      [61440, [inf, inf, M5, inf, M5, M5], all(M5)],
      [61441, [inf, inf, M5, inf, M5, M5], all(M5)],
      [65536, [inf, inf, M5, inf, M5, M5], all(M5)],
      [inf, all(inf), all(M5)],
      [-57344, all(-M5)],
      [-59392, [-M5, -M5, -M5, -M5, -inf, -M5], all(-M5)],
      [-61440, [-inf, -inf, -M5, -M5, -inf, -M5], all(-M5)],
      [-65536, [-inf, -inf, -M5, -M5, -inf, -M5], all(-M5)],
      [-inf, all(-inf), all(-M5)],
      ...smallestRows(2 ** -16),
    ],
  },
  // FP6 E3M2: max 28 = S.111.11, no inf, no NaN: always saturates.
  e3m2: {
    max: 28, minNormal: 2 ** -2, minSubnormal: 2 ** -4, bias: 3, inf: false, nan: false,
    rows: [
      [28, all(28)], [29, all(28)], [30, all(28)], [31, all(28)], [32, all(28)], [1e30, all(28)], [inf, all(28)],
      [-29, all(-28)], [-30, all(-28)], [-inf, all(-28)],
      [27, [28, 28, 24, 28, 24, 28]], [26, [24, 28, 24, 28, 24, 28]], // 24 = S.110.10 (even), 28 = S.110.11 (odd)
      ...smallestRows(2 ** -4),
    ],
  },
  // FP6 E2M3: max 7.5 = S.11.111.
  e2m3: {
    max: 7.5, minNormal: 1, minSubnormal: 2 ** -3, bias: 1, inf: false, nan: false,
    rows: [
      [7.5, all(7.5)], [7.625, all(7.5)], [7.75, all(7.5)], [7.875, all(7.5)], [8, all(7.5)], [inf, all(7.5)],
      [-7.75, all(-7.5)], [-inf, all(-7.5)],
      [7.25, [7, 7.5, 7, 7.5, 7, 7.5]], // 7 = S.11.110 is the even code
      ...smallestRows(2 ** -3),
    ],
  },
  // FP4 E2M1: values 0, 0.5, 1, 1.5, 2, 3, 4, 6.
  e2m1: {
    max: 6, minNormal: 1, minSubnormal: 0.5, bias: 1, inf: false, nan: false,
    rows: [
      [6, all(6)], [6.5, all(6)], [7, all(6)], [7.5, all(6)], [8, all(6)], [inf, all(6)],
      [-7, all(-6)], [-inf, all(-6)],
      [5, [4, 6, 4, 6, 4, 6]], [-5, [-4, -6, -4, -4, -6, -6]], [2.5, [2, 3, 2, 3, 2, 3]], [3.5, [4, 4, 3, 4, 3, 3]],
      ...smallestRows(0.5),
    ],
  },
};

describe("OCP boundary tables", () => {
  const device = ArithDevice.load();
  for (const [name, table] of Object.entries(TABLES)) {
    for (const saturate of [false, true]) {
      it(`${name} saturate=${saturate}`, () => {
        const fmt = device.format(testFormat(name, { saturate }).word);
        expect(device.x.fmt_max(fmt)).toBe(table.max);
        expect(device.x.fmt_min_normal(fmt)).toBe(table.minNormal);
        expect(device.x.fmt_min_subnormal(fmt)).toBe(table.minSubnormal);
        expect(device.x.fmt_fact(fmt, 1)).toBe(table.bias);
        expect(device.x.fmt_fact(fmt, 6), "has inf").toBe(table.inf ? 1 : 0);
        expect(device.x.fmt_fact(fmt, 7), "has NaN").toBe(table.nan ? 1 : 0);
        // Formats with neither inf nor NaN can only saturate.
        expect(device.x.fmt_fact(fmt, 8), "saturates").toBe(saturate || (!table.inf && !table.nan) ? 1 : 0);
        const inputs = Uint32Array.from(table.rows, (row) => f32Bits(row[0]));
        const failures = new Mismatches(`${name} saturate=${saturate}`);
        DETERMINISTIC_MODES.forEach((mode, column) => {
          const got = device.round(fmt, modeCode(mode), inputs);
          table.rows.forEach(([, plain, saturated], i) => {
            const want = (saturate ? saturated ?? plain : plain)[column];
            failures.check(`${name}${saturate ? " saturate" : ""} ${mode}`, inputs[i], got[i], expectedBits(want));
          });
        });
        failures.assertNone();
      });
    }
  }
});

describe("subnormals off", () => {
  const device = ArithDevice.load();
  // n is the smallest normal: below it only 0 and n remain, counted in units of n (0 even, n odd).
  const flushRows = (n: number): Row[] => [
    [n, all(n)],
    [n / 2, [0, n, 0, n, 0, n]],
    [n / 8, [0, 0, 0, n, 0, n]],
    [(3 * n) / 4, [n, n, 0, n, 0, n]],
    [2 ** -149, [0, 0, 0, n, 0, n]],
    [-n / 2, [-0, -n, -0, -0, -n, -n]],
    [(-3 * n) / 4, [-n, -n, -0, -0, -n, -n]],
  ];
  const minNormal: Record<string, number> = { e4m3: 2 ** -6, e5m2: 2 ** -14, e3m2: 2 ** -2, e2m3: 1, e2m1: 1, fp16: 2 ** -14, bf16: 2 ** -126 };

  for (const [name, n] of Object.entries(minNormal)) {
    it(`${name}: values below 2^emin go to 0 or 2^emin by the mode`, () => {
      const fmt = device.format(testFormat(name, { subnormals: false }).word);
      expect(device.x.fmt_min_subnormal(fmt)).toBe(n);
      const rows = flushRows(n);
      const inputs = Uint32Array.from(rows, (row) => f32Bits(row[0]));
      const failures = new Mismatches(`${name} no-subnormals`);
      DETERMINISTIC_MODES.forEach((mode, column) => {
        const got = device.round(fmt, modeCode(mode), inputs);
        rows.forEach(([, plain], i) => failures.check(`${name} no-subnormals ${mode}`, inputs[i], got[i], expectedBits(plain[column])));
      });
      failures.assertNone();
    });

    it(`${name}: the flush is monotonic from -2^(emin+1) to 2^(emin+1)`, () => {
      const fmt = device.format(testFormat(name, { subnormals: false }).word);
      // Every f32 step near 0 (f32 subnormals included) and a fine sweep up to twice the smallest normal.
      const values: number[] = [];
      for (let k = 0; k <= 4096; k++) values.push((k / 2048) * n);
      for (let k = 1; k <= 64; k++) values.push(k * 2 ** -149, n * (1 - k * 2 ** -24), n * (1 + k * 2 ** -23));
      const sorted = [...new Set(values.map(Math.fround))].sort((a, b) => a - b);
      const ascending = Float32Array.from([...sorted.map((v) => -v).reverse(), ...sorted]);
      const inputs = new Uint32Array(ascending.buffer);
      const failures = new Mismatches(`${name} no-subnormals`);
      for (const mode of DETERMINISTIC_MODES) {
        const got = new Float32Array(device.round(fmt, modeCode(mode), inputs).buffer);
        for (let i = 0; i < got.length; i++) {
          const a = Math.abs(got[i]);
          if (a !== 0 && a < n) failures.add(`${mode}: a value between 0 and 2^emin survived`, inputs[i], f32Bits(got[i]), f32Bits(0));
          if (i > 0 && got[i] < got[i - 1]) failures.add(`${mode}: not monotonic after ${got[i - 1]}`, inputs[i], f32Bits(got[i]), f32Bits(got[i - 1]));
        }
      }
      failures.assertNone();
    });
  }
});

describe("worked vectors (OCP semantics, rne)", () => {
  const device = ArithDevice.load();
  const vectors: [string, number, Expected][] = [
    ["e4m3", 1.0625, 1.0],
    ["e4m3", 1.1875, 1.25],
    ["e4m3", 3.14159265, 3.25],
    ["e4m3", 464, 448],
    ["e4m3", 465, "nan"],
    ["e5m2", 61439, 57344],
    ["e5m2", 61440, Infinity],
    ["e2m1", 5, 4],
    ["e2m1", 2.5, 2],
    ["e2m1", 0.75, 1],
    ["e2m1", 0.25, 0],
    ["fp16", 1 + 2 ** -11, 1.0],
    ["fp16", 65520, Infinity],
  ];
  it.each(vectors)("%s: %s -> %s", (name, x, want) => {
    const fmt = device.format(testFormat(name).word);
    const input = Uint32Array.of(f32Bits(x));
    const failures = new Mismatches(`${name} rne`);
    failures.check(`${name} rne`, input[0], device.round(fmt, modeCode("rne"), input)[0], expectedBits(want));
    failures.assertNone();
  });
});
