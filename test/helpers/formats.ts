// The formats the number-format suites sweep: the OCP and IEEE names, a few generic e<E>m<M> (including
// m = 0 and e = 1), IEEE-like and fn variants that no name reaches, and fixed point; each named float with
// both saturate settings and subnormals on and off.
import { it } from "vitest";
import { ArithDevice, floatFormat, testFormat, type TestFormat } from "./device.js";
import { refFormat, type RefFormat } from "./reference.js";

export const FLOAT_NAMES = ["e4m3", "e5m2", "e3m2", "e2m3", "e2m1", "fp16", "bf16", "e3m4", "e6m1", "e5m0", "e1m2", "e7m0"];
export const FIXED_NAMES = ["fixed8.4", "fixed16.8", "fixed2.0", "fixed12.14"];
export const BLOCK_NAMES = ["mxfp8-e4m3", "mxfp8-e5m2", "mxfp6-e3m2", "mxfp6-e2m3", "mxfp4", "mxint8"];

export function sweepFormats(): TestFormat[] {
  const list: TestFormat[] = [];
  for (const name of FLOAT_NAMES) {
    for (const saturate of [false, true]) {
      for (const subnormals of [true, false]) list.push(testFormat(name, { saturate, subnormals }));
    }
  }
  list.push(floatFormat(4, 3, "ieee"), floatFormat(2, 1, "ieee"), floatFormat(3, 2, "fn"), floatFormat(3, 2, "fn", false, true));
  for (const name of FIXED_NAMES) list.push(testFormat(name));
  return list;
}

/**
 * One test per swept format, named by it: `check` gets the format, the module's format for its word, the
 * exact reference for it and the format's index in the sweep (for seeds).
 */
export function itEachFormat(device: ArithDevice, check: (format: TestFormat, fmt: number, ref: RefFormat, index: number) => void): void {
  sweepFormats().forEach((format, index) => it(format.label, () => check(format, device.format(format.word), refFormat(format.spec), index)));
}
