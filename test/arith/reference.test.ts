// Every deterministic rounding mode against exact rational arithmetic (test/helpers/reference.ts) on
// inputs aimed at each format: exact values, exact ties and their f32 neighbours, subnormals, the largest
// value, the overflow threshold and far beyond, NaN and inf, for both saturate settings and subnormals
// on and off.
import { describe, it } from "vitest";
import { ArithDevice, floatFormat, modeCode, testFormat, type TestFormat } from "../helpers/device.js";
import { Mismatches } from "../helpers/bits.js";
import { DETERMINISTIC_MODES, refFormat } from "../helpers/reference.js";
import { inputsFor } from "../helpers/inputs.js";

const NAMES = ["e4m3", "e5m2", "e3m2", "e2m3", "e2m1", "fp16", "bf16", "e3m4", "e6m1", "e5m0", "e1m2", "e7m0"];
const FIXED = ["fixed8.4", "fixed16.8", "fixed2.0", "fixed12.14"];
const INPUTS = 8000;

function variants(): TestFormat[] {
  const list: TestFormat[] = [];
  for (const name of NAMES) {
    for (const saturate of [false, true]) {
      for (const subnormals of [true, false]) list.push(testFormat(name, { saturate, subnormals }));
    }
  }
  // IEEE-like small formats that the OCP names shadow, and an fn format other than E4M3.
  list.push(floatFormat(4, 3, "ieee"), floatFormat(2, 1, "ieee"), floatFormat(3, 2, "fn"), floatFormat(3, 2, "fn", false, true));
  for (const name of FIXED) list.push(testFormat(name));
  return list;
}

describe("deterministic rounding equals exact rational rounding", () => {
  const device = ArithDevice.load();
  const list = variants();
  list.forEach((format, index) => {
    it(format.label, () => {
      const ref = refFormat(format.spec);
      const fmt = device.format(format.word);
      const inputs = inputsFor(ref, INPUTS, 1000 + index);
      const failures = new Mismatches(format.label);
      for (const mode of DETERMINISTIC_MODES) {
        const got = device.round(fmt, modeCode(mode), inputs);
        for (let i = 0; i < inputs.length; i++) failures.check(`${format.label} ${mode}`, inputs[i], got[i], ref.round(inputs[i], mode));
      }
      failures.assertNone();
    });
  });
});
