// A-GEM's projection (Chaudhry et al., ICLR 2019): the projected gradient never points against the
// reference gradient, and a gradient that already agrees with it is left alone.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { loadDevice } from "../../host/device/module.js";

const device = loadDevice();
const e = device.exports;
const n = 64;
const g = device.alloc(n * 4);
const r = device.alloc(n * 4);
const finite = fc.float({ min: -1000, max: 1000, noNaN: true, noDefaultInfinity: true });

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);

describe("A-GEM projection", () => {
  it("leaves g . r >= 0 (up to f32 rounding of the result)", () => {
    fc.assert(
      fc.property(fc.array(finite, { minLength: n, maxLength: n }), fc.array(finite, { minLength: n, maxLength: n }), (gs, rs) => {
        device.f32(g, n).set(gs);
        device.f32(r, n).set(rs);
        e.cl_agem_project(g, r, n);
        const after = device.f32(g, n);
        const ref = device.f32(r, n);
        const scale = Math.sqrt(dot(after, after) * dot(ref, ref));
        // After projection g.r is 0 in exact arithmetic; the f32 rounding of each component leaves at most a few ulps.
        expect(dot(after, ref)).toBeGreaterThanOrEqual(-1e-5 * scale);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it("changes nothing when g and r agree, and removes exactly the opposing component otherwise", () => {
    device.f32(g, n).fill(0);
    device.f32(r, n).fill(0);
    device.f32(g, n).set([1, 2]);
    device.f32(r, n).set([1, 0]);
    expect(e.cl_agem_project(g, r, n)).toBe(0);
    expect(Array.from(device.f32(g, 2))).toEqual([1, 2]);
    // g = (-1, 2), r = (1, 0): g.r = -1, r.r = 1, g - (-1) r = (0, 2).
    device.f32(g, n).set([-1, 2]);
    expect(e.cl_agem_project(g, r, n)).toBe(1);
    expect(Array.from(device.f32(g, 2))).toEqual([0, 2]);
  });
});
