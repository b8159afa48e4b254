// Numeric health per layer and role (docs/precision.md "Numeric health"): how many values a role's
// format lost to overflow and to underflow, how many weight updates were swamped, and how much of the
// format's dynamic range the values used. Counted where nn/ rounds and stores tensors, never inside the
// GEMM or rounding kernels, and only when the model was built with FLAG_HEALTH: without it nothing here
// runs and no memory is taken. Counting reads values; it never changes one.
import { Format } from "../arith";
import { ROLE_COUNT, HEALTH_WORDS, H_VALUES, H_OVERFLOWS, H_UNDERFLOWS, H_UPDATES, H_SWAMPED, H_MAX_ABS } from "./abi";

const ABS_MASK: u32 = 0x7fff_ffff;
/** f32 bits of +inf: magnitudes below it are finite. */
const INF_BITS: u32 = 0x7f80_0000;
/** fp32's largest finite magnitude (0x7f7fffff, 3.4028235e38) and smallest subnormal exponent (2^-149). */
const F32_MAX_BITS: u32 = 0x7f7f_ffff;
const F32_MIN_EXP: i32 = -149;

/**
 * A model's health: its rows, where each layer's parameters end (to attribute updates), and the layer
 * whose tensors are being rounded now (-1: none).
 */
@final @unmanaged
export class Health {
  rows: usize = 0;
  paramEnds: usize = 0;
  layers: i32 = 0;
  layer: i32 = -1;
  /** The optimizer's counts of a span of updates: state, master copy, weight store. */
  state: Tally = changetype<Tally>(0);
  master: Tally = changetype<Tally>(0);
  weight: Tally = changetype<Tally>(0);
}

export function newHealth(): Health {
  const h = new Health();
  h.state = new Tally();
  h.master = new Tally();
  h.weight = new Tally();
  return h;
}

/**
 * The health of the forward or backward pass in progress (0: none, or a model that does not count):
 * the rounding helpers see only the context, and the context has no room to spare for it (a larger
 * Context would move every memory figure a board reports).
 */
let passHealth: usize = 0;

export function passBegin(health: usize): void { passHealth = health; }
export function passEnd(): void { passHealth = 0; }
/** The pass's health, or null. */
// @ts-ignore: decorator
@inline export function inPass(): Health | null { return changetype<Health | null>(passHealth); }
/** Marks the layer whose tensors the pass rounds next. */
// @ts-ignore: decorator
@inline export function passLayer(layer: i32): void {
  if (passHealth != 0) changetype<Health>(passHealth).layer = layer;
}

/**
 * Counts of one role over a run of updates, kept in memory: the counting sits behind a branch taken only
 * for a role that rounds (a store cannot be turned into a select, so a role at fp32 pays for none of it).
 */
@final @unmanaged
export class Tally {
  over: i32 = 0;
  under: i32 = 0;
  largest: u32 = 0;
  /** overflowLimit of the role's format, by sign. */
  positive: u32 = 0;
  negative: u32 = 0;
}

/** Starts a run of `f`'s values. */
export function tallyStart(t: Tally, f: Format | null): void {
  t.over = 0;
  t.under = 0;
  t.largest = 0;
  t.positive = overflowLimit(f, false);
  t.negative = overflowLimit(f, true);
}

/** Value x rounded to r. */
// @ts-ignore: decorator
@inline export function tallyValue(t: Tally, x: f32, r: f32): void {
  t.over += overflows(x, t.positive, t.negative);
  t.under += underflows(x, r);
  t.largest = max(t.largest, finiteBits(x));
}

/** Rows of `layers` layers, ROLE_COUNT rows each. */
export function healthBytes(layers: i32): usize {
  return <usize>layers * <usize>ROLE_COUNT * <usize>HEALTH_WORDS << 3;
}

/** The row of (layer, role) in a health block. */
// @ts-ignore: decorator
@inline export function healthRow(block: usize, layer: i32, role: i32): usize {
  return block + (<usize>((layer * ROLE_COUNT + role) * HEALTH_WORDS) << 3);
}

// @ts-ignore: decorator
@inline function add(row: usize, word: i32, amount: f64): void {
  const at = row + (<usize>word << 3);
  store<f64>(at, load<f64>(at) + amount);
}

/** Magnitude bits above which a value of this sign overflows `f` (never, for fp32 itself: f null). */
export function overflowLimit(f: Format | null, negative: bool): u32 {
  if (f == null) return INF_BITS;
  return negative ? f.negMaxBits : f.maxBits;
}

/** 1 when finite x lies beyond the limits (magnitude bits, by sign) of overflowLimit, else 0. */
// @ts-ignore: decorator
@inline export function overflows(x: f32, positiveLimit: u32, negativeLimit: u32): i32 {
  const u = reinterpret<u32>(x);
  const a = u & ABS_MASK;
  return <i32>(a < INF_BITS && a > (u != a ? negativeLimit : positiveLimit));
}

/** 1 when nonzero x rounded to r = ±0, else 0. */
// @ts-ignore: decorator
@inline export function underflows(x: f32, r: f32): i32 {
  return <i32>(x != 0 && r == 0);
}

/** The magnitude bits of x when finite, else 0 (the largest of them is the largest finite magnitude). */
// @ts-ignore: decorator
@inline export function finiteBits(x: f32): u32 {
  const a = reinterpret<u32>(x) & ABS_MASK;
  return a < INF_BITS ? a : 0;
}

/** The largest finite magnitude of n f32 values at ptr, as f32 bits (0 when there is none). */
export function largestFinite(ptr: usize, n: i32): u32 {
  let largest: u32 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vAbs = i32x4.splat(ABS_MASK);
    const vInf = i32x4.splat(INF_BITS);
    let acc = i32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const a = v128.and(v128.load(ptr + (<usize>i << 2)), vAbs);
      acc = i32x4.max_u(acc, v128.and(a, i32x4.lt_s(a, vInf))); // a below 2^31: a signed compare, one instruction
    }
    largest = max(max(i32x4.extract_lane(acc, 0), i32x4.extract_lane(acc, 1)), max(i32x4.extract_lane(acc, 2), i32x4.extract_lane(acc, 3)));
  }
  for (; i < n; i++) largest = max(largest, finiteBits(load<f32>(ptr + (<usize>i << 2))));
  return largest;
}

/** Adds a run's counts to a row: values, overflows, underflows, updates, swamped, and its largest magnitude. */
export function tally(row: usize, values: i32, over: i32, under: i32, largestBits: u32, updates: i32, swamped: i32): void {
  add(row, H_VALUES, values);
  add(row, H_OVERFLOWS, over);
  add(row, H_UNDERFLOWS, under);
  add(row, H_UPDATES, updates);
  add(row, H_SWAMPED, swamped);
  const at = row + (<usize>H_MAX_ABS << 3);
  const m = <f64>reinterpret<f32>(largestBits);
  if (m > load<f64>(at)) store<f64>(at, m);
}

/**
 * Before n values at ptr are rounded in place to `f`: counts them, their overflows and their largest
 * magnitude; returns how many are nonzero, for healthAfter.
 */
export function healthBefore(row: usize, f: Format | null, ptr: usize, n: i32): i32 {
  let nonzero = 0, over = 0;
  let largest: u32 = 0;
  const pos = overflowLimit(f, false), neg = overflowLimit(f, true);
  for (let i = 0; i < n; i++) {
    const x = load<f32>(ptr + (<usize>i << 2));
    nonzero += <i32>((reinterpret<u32>(x) & ABS_MASK) != 0);
    over += overflows(x, pos, neg);
    largest = max(largest, finiteBits(x));
  }
  tally(row, n, over, 0, largest, 0, 0);
  return nonzero;
}

/** After the rounding: the values nonzero before and zero now underflowed (rounding never makes a zero nonzero). */
export function healthAfter(row: usize, ptr: usize, n: i32, nonzeroBefore: i32): void {
  addUnderflows(row, nonzeroBefore - countNonzero(ptr, n));
}

/** How many of the n f32 values at ptr are not ±0 (NaN counts as nonzero); four a vector in the SIMD build. */
export function countNonzero(ptr: usize, n: i32): i32 {
  let nonzero = 0, i = 0;
  if (ASC_FEATURE_SIMD) {
    const vAbs = i32x4.splat(ABS_MASK), vZero = i32x4.splat(0);
    let lanes = vZero; // minus the count per lane: a true compare is -1
    for (; i + 4 <= n; i += 4) lanes = i32x4.add(lanes, i32x4.ne(v128.and(v128.load(ptr + (<usize>i << 2)), vAbs), vZero));
    nonzero = -(i32x4.extract_lane(lanes, 0) + i32x4.extract_lane(lanes, 1) + i32x4.extract_lane(lanes, 2) + i32x4.extract_lane(lanes, 3));
  }
  for (; i < n; i++) nonzero += <i32>((load<u32>(ptr + (<usize>i << 2)) & ABS_MASK) != 0);
  return nonzero;
}

export function addUnderflows(row: usize, k: i32): void {
  add(row, H_UNDERFLOWS, k);
}

/**
 * Share of `f`'s dynamic range that magnitudes up to maxAbs use, in binades from the smallest positive
 * value: (log2 maxAbs - log2 minPositive) / (log2 maxFinite - log2 minPositive), clamped to 0..1; 0 when
 * maxAbs is 0. minPositive is 2^subUlpExp (the smallest subnormal, or 2^emin without subnormals; 2^-fl
 * for fixed point); fp32 (f null) is 2^-149 .. 0x7f7fffff.
 */
export function rangeUsed(f: Format | null, maxAbs: f64): f64 {
  if (!(maxAbs > 0)) return 0;
  const low = <f64>(f == null ? F32_MIN_EXP : f.subUlpExp);
  // Math.log, not Math.log2: the module already holds log's tables (the loss), and log2's would add 2 KiB
  // of data below every deployment.
  const high = Math.log(<f64>reinterpret<f32>(f == null ? F32_MAX_BITS : f.maxBits)) / Math.LN2;
  const share = (Math.log(maxAbs) / Math.LN2 - low) / (high - low);
  return share < 0 ? 0 : share > 1 ? 1 : share;
}
