// What `bench formats` and `bench compare` share: the f32 inputs they round, the cases, how a rate is timed.

/** [format, rounding] pairs, in the order both benchmarks print them. */
export const ROUNDING_CASES = [
  ["e4m3", "rne"], ["e4m3", "sr"], ["bf16", "rne"], ["bf16", "sr"], ["fp16", "rne"], ["fp16", "sr"],
];

/**
 * N f32 values in a fixed, seed-free pattern (xorshift32) spanning 32 binades from 2^-16, both signs,
 * with values in e4m3's subnormal range and past its largest value.
 */
export function quantizeInputs(N) {
  const values = new Float32Array(N);
  let s = 0x12345678;
  for (let i = 0; i < N; i++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    const mantissa = ((s >>> 0) / 2 ** 32) * 2 - 1;
    values[i] = mantissa * 2 ** (((s >>> 8) & 31) - 16);
  }
  return values;
}

/**
 * Values per second of `fn` (which rounds N values): the best pass in CPU time (user + system, which
 * other processes' load changes less than wall time) over at least 30 passes and `minSeconds`; a pass
 * repeats the call until it has rounded at least 10^6 values, so that it lasts well above the clock's
 * microsecond.
 */
export function bestRate(fn, N, minSeconds) {
  fn();
  const repeats = Math.ceil(1_000_000 / N);
  let best = Infinity, total = 0;
  for (let p = 0; p < 30 || total < minSeconds; p++) {
    const t0 = process.cpuUsage();
    for (let r = 0; r < repeats; r++) fn();
    const t = process.cpuUsage(t0);
    const dt = (t.user + t.system) / 1e6;
    total += dt;
    if (dt > 0 && dt < best) best = dt;
  }
  return (N * repeats) / best;
}
