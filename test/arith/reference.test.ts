// Every deterministic rounding mode against exact rational arithmetic (test/helpers/reference.ts) on
// inputs aimed at each format: exact values, exact ties and their f32 neighbours, subnormals, the largest
// value, the overflow threshold and far beyond, NaN and inf, for both saturate settings and subnormals
// on and off.
import { describe } from "vitest";
import { ArithDevice, modeCode } from "../helpers/device.js";
import { itEachFormat } from "../helpers/formats.js";
import { Mismatches } from "../helpers/bits.js";
import { DETERMINISTIC_MODES } from "../helpers/reference.js";
import { inputsFor } from "../helpers/inputs.js";

const INPUTS = 8000;

describe.each([false, true])("deterministic rounding equals exact rational rounding (simd=%s)", (simd) => {
  const device = ArithDevice.load(simd);
  itEachFormat(device, (format, fmt, ref, index) => {
    const inputs = inputsFor(ref, INPUTS, 1000 + index);
    const failures = new Mismatches(format.label);
    for (const mode of DETERMINISTIC_MODES) {
      const got = device.round(fmt, modeCode(mode), inputs);
      for (let i = 0; i < inputs.length; i++) failures.check(`${format.label} ${mode}`, inputs[i], got[i], ref.round(inputs[i], mode));
    }
    failures.assertNone();
  });
});
