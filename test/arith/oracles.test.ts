// The tests' two exact oracles agree: test/helpers/reference.ts rounds by enumerating a format's codes
// (what the format, code and MX suites need), test/helpers/gemm-reference.ts by arithmetic on BigInt
// values (what the GEMM and accelerator suites need, fp32 included, where enumeration cannot go). Written
// apart, each checks the other on every swept format, every deterministic mode and sr with explicit draws.
import { describe, it } from "vitest";
import { sweepFormats } from "../helpers/formats.js";
import { Mismatches, bitsF32, f32Bits, isNaNBits, TestRandom } from "../helpers/bits.js";
import { DETERMINISTIC_MODES, refFormat } from "../helpers/reference.js";
import { Fmt, exactOf } from "../helpers/gemm-reference.js";
import { inputsFor } from "../helpers/inputs.js";

const INPUTS = 3000;

describe("the enumerating oracle and the arithmetic oracle round every f32 alike", () => {
  sweepFormats().forEach((format, index) => {
    it(format.label, () => {
      const ref = refFormat(format.spec);
      const fmt = new Fmt(format.spec, format.label);
      const inputs = inputsFor(ref, INPUTS, 7000 + index);
      const random = new TestRandom(index + 1);
      const failures = new Mismatches(format.label);
      // NaN results compare as NaN: the two oracles do not carry a NaN's sign the same way.
      const same = (got: number, want: number) => (isNaNBits(got) && isNaNBits(want) ? want : got);
      for (const x of inputs) {
        const exact = exactOf(bitsF32(x));
        for (const mode of DETERMINISTIC_MODES) {
          const want = ref.round(x, mode);
          failures.check(`${format.label} ${mode}`, x, same(f32Bits(fmt.round(exact, mode)), want), want);
        }
        const r = random.int(1, 32), draw = random.int(0, 0xffffffff) >>> 0;
        const want = ref.roundStochastic(x, r, draw);
        failures.check(`${format.label} sr r=${r} draw=${draw}`, x, same(f32Bits(fmt.round(exact, "sr", r, draw)), want), want);
      }
      failures.assertNone();
    });
  });
});
