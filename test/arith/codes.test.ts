// Every code of every format of <= 8 bits: its value equals the reference enumeration, it re-encodes to
// itself (NaN codes to the canonical NaN of their sign), and values rise monotonically with the codes of
// each sign.
import { describe, expect, it } from "vitest";
import { ArithDevice, floatFormat, modeCode, testFormat, type TestFormat } from "../helpers/device.js";
import { bitsF32, f32Bits, hex, isNaNBits, Mismatches, sameF32, showF32 } from "../helpers/bits.js";
import { DETERMINISTIC_MODES, refFormat, type RefSpec } from "../helpers/reference.js";

/** Whether a float word is valid, from spec/formats.json: ieee needs a binade to reserve and a NaN mantissa. */
function floatValid(e: number, m: number, specials: RefSpec["specials"]): boolean {
  if (specials === "ieee") return e >= 2 && m >= 1;
  if (specials === "fn") return m >= 1 && e <= 7;
  return e <= 7;
}

function smallFormats(): TestFormat[] {
  const list = ["e4m3", "e5m2", "e3m2", "e2m3", "e2m1"].map((name) => testFormat(name));
  for (let e = 1; e <= 7; e++) {
    for (let m = 0; 1 + e + m <= 8; m++) {
      for (const specials of ["ieee", "fn", "none"] as const) if (floatValid(e, m, specials)) list.push(floatFormat(e, m, specials));
    }
  }
  for (let wl = 2; wl <= 8; wl++) {
    for (const fl of new Set([0, 1, wl - 1, wl + 2, 126])) list.push(testFormat(`fixed${wl}.${fl}`));
  }
  return list;
}

describe("format words of <= 8 bits", () => {
  const device = ArithDevice.load();
  it("are valid exactly when the specials fit the exponent and mantissa", () => {
    const failures: string[] = [];
    for (let e = 1; e <= 7; e++) {
      for (let m = 0; 1 + e + m <= 8; m++) {
        for (const specials of ["ieee", "fn", "none"] as const) {
          const valid = device.x.fmt_validate(floatFormat(e, m, specials).word) === 0;
          if (valid !== floatValid(e, m, specials)) failures.push(`e${e}m${m} ${specials}: module says valid=${valid}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

describe("every code of every format of <= 8 bits", () => {
  const device = ArithDevice.load();
  for (const format of smallFormats()) {
    it(format.label, () => {
      const ref = refFormat(format.spec);
      const fmt = device.format(format.word);
      const count = 2 ** ref.bits;
      expect(device.x.fmt_fact(fmt, 0)).toBe(ref.bits);
      const codes = Uint8Array.from({ length: count }, (_, c) => c);
      const decoded = device.decode(fmt, codes, count);
      const failures = new Mismatches(format.label);

      for (let code = 0; code < count; code++) {
        const want = ref.decode(code);
        if (!sameF32(decoded[code], want)) failures.addText(`decode_array code ${hex(code, 2)}: got ${showF32(decoded[code])}, expected ${showF32(want)}`);
        // The scalar decoder agrees with the table decode_array uses (NaN sign does not cross into JS).
        const one = f32Bits(device.x.decode_one(fmt, code));
        if (isNaNBits(want) ? !isNaNBits(one) : one !== want) failures.addText(`decode_one code ${hex(code, 2)}: got ${showF32(one)}, expected ${showF32(want)}`);
      }

      // Re-encoding: every deterministic mode leaves a value of the format unchanged, so the code comes back.
      for (const mode of DETERMINISTIC_MODES) {
        const encoded = device.encode(fmt, modeCode(mode), decoded);
        for (let code = 0; code < count; code++) {
          const want = ref.isNaNCode(code) ? ref.canonicalNaNCode(code >= count / 2) : code;
          if (encoded[code] !== want) {
            failures.addText(`${mode} re-encode of code ${hex(code, 2)} (${showF32(decoded[code])}): got ${hex(encoded[code], 2)}, expected ${hex(want, 2)}`);
          }
        }
      }
      for (let code = 0; code < count; code++) {
        if (ref.isNaNCode(code)) continue;
        const got = device.x.encode_one(fmt, bitsF32(decoded[code])) >>> 0;
        if (got !== code) failures.addText(`encode_one(${showF32(decoded[code])}): got ${hex(got, 2)}, expected ${hex(code, 2)}`);
      }

      // Monotonic over the codes of each sign: floats are sign-magnitude, fixed point two's complement.
      const half = count / 2;
      for (let code = 1; code < count; code++) {
        if (code === half || ref.isNaNCode(code) || ref.isNaNCode(code - 1)) continue;
        const previous = bitsF32(decoded[code - 1]);
        const value = bitsF32(decoded[code]);
        const rising = format.spec.kind === "fixed" || code < half;
        if (rising ? !(value > previous) : !(value < previous)) {
          failures.addText(`not monotonic: code ${hex(code - 1, 2)} = ${showF32(decoded[code - 1])}, code ${hex(code, 2)} = ${showF32(decoded[code])}`);
        }
      }
      failures.assertNone();
    });
  }
});
