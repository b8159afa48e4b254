// The array kernels against the scalar rounding rule they hoist (round_one with the same draws).
import { describe, expect, it } from "vitest";
import { loadDevice } from "../../host/device/module";
import { parseFormat, parseRounding } from "../../host/formats/parse";
import { refFormat } from "../helpers/reference.js";

const FORMATS = ["e4m3", "e5m2", "e3m2", "e2m3", "e2m1", "fp16", "bf16", "tf32", "e5m0", "e1m2", "fixed8.4", "fixed16.8"];
const N = 4099; // not a multiple of 4: exercises the scalar tail after the SIMD body

/** Values that hit every region: subnormal f32, each format's subnormals, normals, overflow, specials. */
function inputs(seed: number): Float32Array {
  const out = new Float32Array(N);
  const bits = new Uint32Array(out.buffer);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < N; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    if (i % 7 === 0) bits[i] = s; // any bit pattern: NaN, inf, f32 subnormals included
    else out[i] = (((s >>> 8) / 2 ** 24) * 2 - 1) * 2 ** ((s & 63) - 40);
  }
  out[0] = Infinity; out[1] = -Infinity; out[2] = 0; out[3] = -0;
  return out;
}

const hex = (u: number) => `0x${(u >>> 0).toString(16).padStart(8, "0")}`;

describe.each([false, true])("array kernels (simd=%s)", (simd) => {
  const device = loadDevice({ simd });
  const x = device.exports;
  const src = device.alloc(N * 4);
  const dst = device.alloc(N * 4);

  for (const name of FORMATS) {
    for (const saturate of [false, true]) {
      for (const subnormals of [true, false]) {
        it(`${name} saturate=${saturate} subnormals=${subnormals}: every mode equals the scalar rule`, () => {
          const fmt = x.fmt_new(parseFormat(name, { saturate, subnormals }).word);
          expect(fmt).not.toBe(0);
          const values = inputs(name.length * 977 + (saturate ? 1 : 0) + (subnormals ? 2 : 0));
          for (const mode of ["rne", "rna", "rz", "ru", "rd", "ro", "sr"]) {
            for (const srBits of mode === "sr" ? [0, 1, 3, 8, 13, 31] : [0]) {
              const code = parseRounding(mode);
              const rng = x.rng_new(42, srBits);
              device.f32(src, N).set(values);
              expect(x.round_array(fmt, code, srBits, rng, src, dst, N)).toBe(0);
              const got = new Uint32Array(device.u32(dst, N));
              for (let i = 0; i < N; i++) {
                const draw = mode === "sr" ? x.rng_draw(rng, i) >>> 0 : 0;
                const want = new Uint32Array(new Float32Array([x.round_one(fmt, code, srBits, draw, values[i])]).buffer)[0];
                if (got[i] !== want) {
                  throw new Error(`${name} ${mode} r=${srBits} x=${values[i]} (${hex(new Uint32Array(values.buffer)[i])}): kernel ${hex(got[i])}, rule ${hex(want)}`);
                }
              }
              if (mode === "sr") expect(x.rng_counter(rng)).toBe(N);
            }
          }
        });
      }
    }
  }
});

describe("formats with f32's exponent range, rne (the SIMD build adds and masks, no range selects)", () => {
  // Ties at zero, in the subnormals, at the smallest normal and at the largest value (which rounds to
  // inf), inf, NaN with payloads and signs: both builds against the exact reference, every value at
  // each of 16 positions so the unrolled body and the tail both meet it.
  const EDGES = [
    0x00000000, 0x00000001, 0x00007fff, 0x00008000, 0x00018000, 0x0000c000, 0x007f8000, 0x007fffff, 0x00800000,
    0x3f808000, 0x3f818000, 0x3f80c000, 0x3f807fff, 0x7f7f0000, 0x7f7f7fff, 0x7f7f8000, 0x7f7fffff, 0x7f800000,
    0x7f800001, 0x7fc12345, 0x7fffffff, 0x7f7e8000, 0x7f7effff, 0x00001000, 0x00000800, 0x3f800800, 0x3f801000,
  ];
  const cases: [string, ReturnType<typeof refFormat>][] = [
    ["bf16", refFormat({ kind: "float", e: 8, m: 7, specials: "ieee", subnormals: true, saturate: false })],
    ["tf32", refFormat({ kind: "float", e: 8, m: 10, specials: "ieee", subnormals: true, saturate: false })],
  ];
  for (const simd of [false, true]) {
    for (const [name, ref] of cases) {
      it(`${name}, simd=${simd}: every edge value, both signs, equals the exact reference`, () => {
        const device = loadDevice({ simd });
        const x = device.exports;
        const fmt = x.fmt_new(parseFormat(name).word);
        const values = [...EDGES, ...EDGES.map((b) => (b | 0x80000000) >>> 0)];
        const n = values.length * 16 + 3;
        const src = device.alloc(n * 4), dst = device.alloc(n * 4);
        const input = new Uint32Array(n);
        for (let i = 0; i < n; i++) input[i] = values[(i * 7 + (i >> 4)) % values.length];
        device.u32(src, n).set(input);
        expect(x.round_array(fmt, parseRounding("rne"), 0, 0, src, dst, n)).toBe(0);
        const got = device.u32(dst, n);
        for (let i = 0; i < n; i++) {
          const want = ref.round(input[i], "rne") >>> 0;
          if (got[i] !== want) throw new Error(`${name} rne x=${hex(input[i])} at ${i}: kernel ${hex(got[i])}, reference ${hex(want)}`);
        }
      });
    }
  }
});
