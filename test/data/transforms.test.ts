import { describe, expect, it } from "vitest";
import { UsageError } from "../../host/errors.js";
import { Rng } from "../../host/data/rng.js";
import { checkPermutation, permuteSamples, rotateImages } from "../../host/data/transforms.js";

const f32 = (values: number[]) => Float32Array.from(values);
const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe("pixel permutation", () => {
  it("sets output pixel i to input pixel permutation[i], sample by sample", () => {
    const out = permuteSamples(f32([10, 20, 30, 1, 2, 3]), 3, [2, 0, 1]);
    expect([...out]).toEqual([30, 10, 20, 3, 1, 2]);
  });

  it("rejects anything that is not a bijection", () => {
    expect(() => checkPermutation([0, 1, 1], 3)).toThrow(UsageError);
    expect(() => checkPermutation([0, 1, 3], 3)).toThrow("received 3 at index 2");
    expect(() => checkPermutation([0, 1], 3)).toThrow(UsageError);
    expect(() => checkPermutation([0, 0.5, 2], 3)).toThrow(UsageError);
  });
});

describe("bilinear rotation", () => {
  const square3 = f32([1, 2, 3, 4, 5, 6, 7, 8, 9]);

  it("by 0 and by 360 degrees is the identity, bit for bit", () => {
    const rng = Rng.forStream(1, "image");
    const image = Float32Array.from({ length: 2 * 28 * 28 }, () => rng.nextFloat());
    expect(bits(rotateImages(image, [1, 28, 28], 0)).equals(bits(image))).toBe(true);
    expect(bits(rotateImages(image, [1, 28, 28], 360)).equals(bits(image))).toBe(true);
  });

  it("by 90 degrees turns a 3 x 3 image counter-clockwise, as rotated by hand", () => {
    // 1 2 3      3 6 9
    // 4 5 6  ->  2 5 8
    // 7 8 9      1 4 7
    expect([...rotateImages(square3, [1, 3, 3], 90)]).toEqual([3, 6, 9, 2, 5, 8, 1, 4, 7]);
    // -90 = 270: clockwise
    expect([...rotateImages(square3, [1, 3, 3], -90)]).toEqual([7, 4, 1, 8, 5, 2, 9, 6, 3]);
    expect([...rotateImages(square3, [1, 3, 3], 270)]).toEqual([7, 4, 1, 8, 5, 2, 9, 6, 3]);
  });

  it("by 90 degrees matches index arithmetic on an even-sized, two-channel image", () => {
    // out[c][r][col] = in[c][col][W-1-r] for a counter-clockwise quarter turn (NumPy's rot90).
    const side = 4;
    const image = Float32Array.from({ length: 2 * side * side }, (_, i) => i + 1);
    const expected = new Float32Array(image.length);
    for (let c = 0; c < 2; c++) {
      for (let r = 0; r < side; r++) {
        for (let col = 0; col < side; col++) {
          expected[c * 16 + r * side + col] = image[c * 16 + col * side + (side - 1 - r)];
        }
      }
    }
    expect([...rotateImages(image, [2, side, side], 90)]).toEqual([...expected]);
  });

  it("by 180 degrees reverses the pixel order", () => {
    const image = Float32Array.from({ length: 16 }, (_, i) => i);
    expect([...rotateImages(image, [1, 4, 4], 180)]).toEqual([...image].reverse());
  });

  it("reproduces a linear ramp exactly wherever the four taps lie inside (bilinear is exact on linear images)", () => {
    const side = 9;
    const c = (side - 1) / 2;
    const ramp = (x: number, y: number) => 0.25 * x + 0.5 * y;
    const image = Float32Array.from({ length: side * side }, (_, i) => ramp(i % side, Math.floor(i / side)));
    const t = (30 * Math.PI) / 180;
    const out = rotateImages(image, [1, side, side], 30);
    let checked = 0;
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const xs = c + Math.cos(t) * (x - c) - Math.sin(t) * (y - c);
        const ys = c + Math.sin(t) * (x - c) + Math.cos(t) * (y - c);
        if (xs < 0 || ys < 0 || xs >= side - 1 || ys >= side - 1) continue;
        expect(out[y * side + x]).toBeCloseTo(ramp(xs, ys), 5);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30);
  });

  it("keeps the centre pixel of an odd-sized image and blanks corners rotated out of view", () => {
    const image = new Float32Array(25).fill(1);
    const out = rotateImages(image, [1, 5, 5], 45);
    expect(out[12]).toBe(1);
    // the corner (0, 0) samples from about (2, -0.83): outside the image, so only partial coverage
    expect(out[0]).toBeLessThan(1);
  });

  it("rejects a non-image shape and a non-finite angle", () => {
    expect(() => rotateImages(square3, [9], 90)).toThrow(UsageError);
    expect(() => rotateImages(square3, [1, 3, 3], Number.NaN)).toThrow(UsageError);
  });
});
