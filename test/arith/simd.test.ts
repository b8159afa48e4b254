// The scalar and SIMD builds give identical bits: round_array and encode_array of every format (float,
// fixed, MX) in every mode, on large arrays whose length is not a multiple of the vector width.
import { describe, it } from "vitest";
import { ArithDevice, MODES, modeCode, testFormat, type TestFormat } from "../helpers/device.js";
import { BLOCK_NAMES, sweepFormats } from "../helpers/formats.js";
import { hex, Mismatches, structuredBits, TestRandom } from "../helpers/bits.js";
import { refFormat } from "../helpers/reference.js";
import { inputsFor } from "../helpers/inputs.js";
import { parseFormat } from "../../host/formats/parse.js";

const N = 40_003;

interface Case {
  label: string;
  word: number;
  inputs: () => Uint32Array;
}

function cases(): Case[] {
  const list: Case[] = sweepFormats().map((format: TestFormat, index) => ({
    label: format.label,
    word: format.word,
    // Half aimed at the format (ties, boundaries), half any magnitude.
    inputs: () => {
      const aimed = inputsFor(refFormat(format.spec), N >> 1, 9000 + index);
      const spread = structuredBits(new TestRandom(9500 + index), N - aimed.length, -150, 128);
      return Uint32Array.from([...aimed, ...spread]);
    },
  }));
  for (const name of ["fp32", "tf32", ...BLOCK_NAMES]) {
    const word = name.startsWith("mx") ? parseFormat(name).word : testFormat(name).word;
    list.push({ label: name, word, inputs: () => structuredBits(new TestRandom(word), N, -150, 128) });
  }
  return list;
}

describe("scalar and SIMD modules give identical bits", () => {
  const scalar = ArithDevice.load(false);
  const simd = ArithDevice.load(true);
  for (const c of cases()) {
    it(c.label, () => {
      const inputs = c.inputs();
      const a = scalar.format(c.word);
      const b = simd.format(c.word);
      const failures = new Mismatches(`${c.label} scalar vs SIMD`);
      for (const mode of MODES) {
        for (const r of mode === "sr" ? [0, 5] : [0]) {
          const label = `${c.label} ${mode}${mode === "sr" ? ` r=${r}` : ""}`;
          const options = (device: ArithDevice) => ({ srBits: r, rng: device.rng(2024, r) });
          const scalarRound = scalar.round(a, modeCode(mode), inputs, options(scalar));
          const simdRound = simd.round(b, modeCode(mode), inputs, options(simd));
          for (let i = 0; i < inputs.length; i++) {
            if (scalarRound[i] !== simdRound[i]) failures.add(`${label} round_array (got = SIMD, expected = scalar)`, inputs[i], simdRound[i], scalarRound[i]);
          }
          const scalarCodes = scalar.encode(a, modeCode(mode), inputs, options(scalar));
          const simdCodes = simd.encode(b, modeCode(mode), inputs, options(simd));
          for (let i = 0; i < scalarCodes.length; i++) {
            if (scalarCodes[i] !== simdCodes[i]) failures.addText(`${label} encode_array byte ${i}: SIMD ${hex(simdCodes[i], 2)}, scalar ${hex(scalarCodes[i], 2)}`);
          }
        }
      }
      failures.assertNone();
    });
  }
});
