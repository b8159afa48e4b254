// The float formats the accelerator's format registers hold (board/accel/format.ts): which words the model
// takes, and the message that names what is wrong with the others. The arithmetic on those formats is the
// device's own gemm (test/accel/engine.test.ts).
import { describe, expect, it } from "vitest";
import { floatFormat, floatWordProblem } from "../../board/accel/format";
import { parseFormat } from "../../host/formats/parse";

describe("format words", () => {
  it("refuses words that are not float formats, naming the problem", () => {
    expect(floatWordProblem(parseFormat("fixed8.4").word)).toMatch(/kind 1/);
    expect(floatWordProblem(parseFormat("mxfp8").word)).toMatch(/kind 2/);
    expect(() => floatFormat(0x00170809)).toThrow(/expected a float format word, received kind 9/);
    expect(floatWordProblem(parseFormat("e4m3").word)).toBeNull();
  });

  it("decodes the largest value and the overflow of each kind of specials (OCP OFP8 v1.0, IEEE 754)", () => {
    expect(floatFormat(parseFormat("e4m3").word).max).toBe(448);
    expect(floatFormat(parseFormat("e4m3").word).overflow).toBeNaN();
    expect(floatFormat(parseFormat("e5m2").word).max).toBe(57344);
    expect(floatFormat(parseFormat("e5m2").word).overflow).toBe(Infinity);
    expect(floatFormat(parseFormat("e2m1").word).max).toBe(6);
    expect(floatFormat(parseFormat("e2m1").word).overflow).toBe(6);
    expect(floatFormat(parseFormat("fp16", { saturate: true }).word).overflow).toBe(65504);
  });
});
