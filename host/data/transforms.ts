// Deterministic per-sample transforms used to build benchmark streams: a fixed pixel permutation
// (Permuted MNIST) and a bilinear rotation about the image centre (Rotated MNIST).

import { expected, UsageError } from "../errors.js";
import { sampleSize } from "./dataset.js";

/** Checks that `permutation` is a bijection of 0 .. size-1. */
export function checkPermutation(permutation: ArrayLike<number>, size: number): void {
  if (permutation.length !== size) {
    throw new UsageError(`expected a permutation of ${size} positions, received ${permutation.length} positions`);
  }
  const seen = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    const p = permutation[i];
    if (!Number.isInteger(p) || p < 0 || p >= size || seen[p]) {
      throw new UsageError(
        `expected a permutation of 0 .. ${size - 1} (each position once), received ${p} at index ${i}`,
      );
    }
    seen[p] = 1;
  }
}

/**
 * Applies one pixel permutation to every sample: output pixel i of a sample is input pixel
 * permutation[i] of the same sample (the convention of x[perm] in NumPy).
 */
export function permuteSamples(inputs: Float32Array, size: number, permutation: ArrayLike<number>): Float32Array {
  checkPermutation(permutation, size);
  const out = new Float32Array(inputs.length);
  for (let base = 0; base < inputs.length; base += size) {
    for (let i = 0; i < size; i++) out[base + i] = inputs[base + permutation[i]];
  }
  return out;
}

/**
 * Exact cosine and sine for whole multiples of 90 degrees (where Math.cos(Math.PI / 2) is 6.1e-17, not 0),
 * so that those rotations move pixels exactly; other angles use Math.cos / Math.sin of the radians.
 */
function cosSin(degrees: number): [number, number] {
  const turned = ((degrees % 360) + 360) % 360;
  if (turned === 0) return [1, 0];
  if (turned === 90) return [0, 1];
  if (turned === 180) return [-1, 0];
  if (turned === 270) return [0, -1];
  const radians = (degrees * Math.PI) / 180;
  return [Math.cos(radians), Math.sin(radians)];
}

/**
 * Rotates every image of `inputs` (samples of shape [channels, height, width], row-major) by `degrees`
 * counter-clockwise as the image is displayed (row 0 at the top), about the centre
 * ((width-1)/2, (height-1)/2) of the pixel grid, on the same canvas.
 * Each output pixel (x, y) takes the input at
 *   xs = cx + cos(t) (x - cx) - sin(t) (y - cy),   ys = cy + sin(t) (x - cx) + cos(t) (y - cy)
 * by bilinear interpolation of the four neighbouring pixels; pixels outside the image count as 0.
 * Arithmetic in f64, one rounding to f32 per output pixel: deterministic on every platform.
 */
export function rotateImages(inputs: Float32Array, shape: readonly number[], degrees: number): Float32Array {
  if (shape.length !== 3) {
    throw new UsageError(`expected images of shape [channels, height, width], received shape [${shape.join(", ")}]`);
  }
  if (!Number.isFinite(degrees)) throw expected("a finite rotation angle in degrees", degrees);
  const [channels, height, width] = shape;
  const size = sampleSize(shape);
  const [cos, sin] = cosSin(degrees);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;

  // The sampling pattern is the same for every image: work it out once.
  const plane = width * height;
  const taps = new Int32Array(plane * 4);
  const weights = new Float64Array(plane * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const xs = cx + cos * (x - cx) - sin * (y - cy);
      const ys = cy + sin * (x - cx) + cos * (y - cy);
      const x0 = Math.floor(xs);
      const y0 = Math.floor(ys);
      const fx = xs - x0;
      const fy = ys - y0;
      const corners: [number, number, number][] = [
        [x0, y0, (1 - fx) * (1 - fy)],
        [x0 + 1, y0, fx * (1 - fy)],
        [x0, y0 + 1, (1 - fx) * fy],
        [x0 + 1, y0 + 1, fx * fy],
      ];
      const o = (y * width + x) * 4;
      corners.forEach(([xc, yc, weight], k) => {
        const inside = xc >= 0 && xc < width && yc >= 0 && yc < height;
        taps[o + k] = inside ? yc * width + xc : -1;
        weights[o + k] = inside ? weight : 0;
      });
    }
  }

  const out = new Float32Array(inputs.length);
  for (let base = 0; base < inputs.length; base += size) {
    for (let c = 0; c < channels; c++) {
      const planeBase = base + c * plane;
      for (let p = 0; p < plane; p++) {
        let sum = 0;
        for (let k = 0; k < 4; k++) {
          const tap = taps[p * 4 + k];
          if (tap >= 0) sum += weights[p * 4 + k] * inputs[planeBase + tap];
        }
        out[planeBase + p] = sum;
      }
    }
  }
  return out;
}
