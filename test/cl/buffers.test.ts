// Replay buffers on their own, through the device module's exports: reservoir sampling keeps a uniform
// sample of the stream (chi-square), class-balanced buffers balance, the byte budget holds, and an
// e4m3 buffer holds four times the samples of an fp32 one.
import { describe, expect, it } from "vitest";
import { loadDevice } from "../../host/device/module.js";
import { parseFormat } from "../../host/formats/parse.js";

const device = loadDevice();
const e = device.exports;
const word = (name: string) => parseFormat(name).word;
const RESERVOIR = 0;
const CLASS_BALANCED = 1;

function newBuffer(values: number, bytes: number, classKeys: number, policy: number, format = "fp32", seed = 7): number {
  const b = e.cl_buffer_new(values, bytes, classKeys, policy, word(format), 0, 0, seed) >>> 0;
  expect(b).not.toBe(0);
  return b;
}

/** Offers `n` samples whose first value is their stream position; returns the source pointer. */
function offerStream(b: number, n: number, values: number, keyOf: (i: number) => number): void {
  const src = device.alloc(values * 4);
  const view = device.f32(src, values);
  for (let i = 0; i < n; i++) {
    view.fill(0);
    view[0] = i;
    e.cl_buffer_offer(b, src, keyOf(i));
  }
}

/** Upper 0.001 quantile of chi-square with k degrees of freedom (Wilson-Hilferty). */
function chiSquareCritical(k: number): number {
  const z = 3.090232; // standard normal 0.999 quantile
  return k * (1 - 2 / (9 * k) + z * Math.sqrt(2 / (9 * k))) ** 3;
}

describe("reservoir sampling", () => {
  it("keeps every stream position with the same probability (chi-square, p = 0.001)", () => {
    // 400 runs of a 10-slot buffer over a stream of 100: each position is kept 400 x 10 / 100 = 40 times on average.
    const stream = 100;
    const slots = 10;
    const counts = new Array(stream).fill(0);
    const out = device.alloc(4);
    for (let run = 0; run < 400; run++) {
      const b = newBuffer(1, slots * 4, 1, RESERVOIR, "fp32", 1000 + run);
      offerStream(b, stream, 1, () => 0);
      expect(e.cl_buffer_count(b)).toBe(slots);
      for (let s = 0; s < slots; s++) {
        e.cl_buffer_values(b, s, out);
        counts[device.f32(out, 1)[0]]++;
      }
    }
    const expected = (400 * slots) / stream;
    const chi = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    expect(chi, `chi-square ${chi.toFixed(1)} over ${stream - 1} degrees of freedom; counts ${counts.join(",")}`).toBeLessThan(chiSquareCritical(stream - 1));
  });

  it("keeps the early part of the stream (not just the latest samples)", () => {
    const b = newBuffer(1, 50 * 4, 1, RESERVOIR);
    offerStream(b, 1000, 1, () => 0);
    const out = device.alloc(4);
    let early = 0;
    for (let s = 0; s < 50; s++) {
      e.cl_buffer_values(b, s, out);
      if (device.f32(out, 1)[0] < 500) early++;
    }
    // Binomial(50, 1/2): 10..40 holds with probability > 0.9999.
    expect(early).toBeGreaterThanOrEqual(10);
    expect(early).toBeLessThanOrEqual(40);
  });
});

describe("class-balanced buffers", () => {
  it("hold the same number of slots per class after classes arrive one experience at a time", () => {
    const slots = 60;
    const b = newBuffer(1, slots * 4, 10, CLASS_BALANCED);
    // Five experiences of two classes, 300 samples each, classes alternating within an experience.
    for (let exp = 0; exp < 5; exp++) offerStream(b, 300, 1, (i) => 2 * exp + (i % 2));
    const held = new Array(10).fill(0);
    for (let s = 0; s < e.cl_buffer_count(b); s++) held[e.cl_buffer_key(b, s)]++;
    expect(held.reduce((a, c) => a + c, 0)).toBe(slots);
    // 60 slots over 10 classes: 6 each.
    expect(held).toEqual(new Array(10).fill(6));
  });

  it("a reservoir buffer under the same stream favours the latest classes less evenly", () => {
    const b = newBuffer(1, 60 * 4, 10, RESERVOIR);
    for (let exp = 0; exp < 5; exp++) offerStream(b, 300, 1, (i) => 2 * exp + (i % 2));
    const held = new Array(10).fill(0);
    for (let s = 0; s < 60; s++) held[e.cl_buffer_key(b, s)]++;
    expect(held.reduce((a, c) => a + c, 0)).toBe(60);
    expect(Math.max(...held) - Math.min(...held)).toBeGreaterThan(0);
  });
});

describe("byte budgets", () => {
  it.each([
    ["fp32", 4],
    ["fp16", 2],
    ["bf16", 2],
    ["e4m3", 1],
    ["e5m2", 1],
  ])("%s: %i byte(s) per value, capacity = floor(budget / (values x bytes)), never over the budget", (format, bytesPerValue) => {
    for (const budget of [0, 783, 784 * 4, 100_000, 262_144]) {
      const b = newBuffer(784, budget, 10, RESERVOIR, format);
      expect(e.cl_buffer_sample_bytes(b)).toBe(784 * bytesPerValue);
      expect(e.cl_buffer_slots(b)).toBe(Math.floor(budget / (784 * bytesPerValue)));
      expect(e.cl_buffer_slots(b) * e.cl_buffer_sample_bytes(b)).toBeLessThanOrEqual(budget);
    }
  });

  it("mxfp8-e4m3 blocks: 32 values in 33 bytes", () => {
    const b = newBuffer(784, 100_000, 10, RESERVOIR, "mxfp8-e4m3");
    expect(e.cl_buffer_sample_bytes(b)).toBe(Math.ceil(784 / 32) * 33);
    expect(e.cl_buffer_slots(b)).toBe(Math.floor(100_000 / (25 * 33)));
  });

  it("an e4m3 buffer holds four times the samples of an fp32 one in the same bytes", () => {
    const budget = 784 * 4 * 83;
    const fp32 = newBuffer(784, budget, 10, RESERVOIR, "fp32");
    const e4m3 = newBuffer(784, budget, 10, RESERVOIR, "e4m3");
    expect(e.cl_buffer_slots(fp32)).toBe(83);
    expect(e.cl_buffer_slots(e4m3)).toBe(4 * 83);
  });

  it("stores values rounded to the replay format (e4m3: 3.14159265 -> 3.25, OCP E4M3 RNE)", () => {
    const b = newBuffer(2, 8, 1, RESERVOIR, "e4m3");
    const src = device.alloc(8);
    device.f32(src, 2).set([3.14159265, 1.0625]);
    e.cl_buffer_offer(b, src, 0);
    const out = device.alloc(8);
    e.cl_buffer_values(b, 0, out);
    expect(Array.from(device.f32(out, 2))).toEqual([3.25, 1]);
  });
});
