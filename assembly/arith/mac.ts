// Low-precision GEMM with per-MAC emulation: the kernel behind every layer's forward and backward pass, and
// the one implementation of the arithmetic every board runs (the accelerator models call it too).
// Semantics, exactness arguments and limits are in docs/gemm.md. The pieces live in mac/:
//   spec.ts        the MAC spec and the checks the public entry points run once
//   rounding.ts    one rounding of an f64 value, one rounding of an exact sum
//   reference.ts   the reference kernel (every mode and format), fast mode, the plain f32 loop
//   job.ts         the job the kernels read; probe.ts, what its operands allow; hoisted.ts, per-format constants
//   kernels-f64.ts, kernels-f64x2.ts, kernels-f32x4.ts   the specialised exact kernels
//   kernels-f32-plain.ts   fp32 products and sums (SIMD build): the f32 GEMM itself, register-blocked
//   gemm.ts        the dispatcher that picks the cheapest kernel giving the reference's bits, the entry point
export {
  MacSpec, macSpecNew, FP32_WORD, MAC_SR_MAX_OUTPUTS, GEMM_OK, GEMM_BAD_FORMAT, GEMM_BAD_ROUNDING, GEMM_BAD_SR_BITS,
  GEMM_BAD_SHAPE, GEMM_BAD_STRIDE, GEMM_TOO_LARGE, macSpecUsesSr, macSpecCheck, gemmCheck,
} from "./mac/spec";
export { roundDouble, roundSum } from "./mac/rounding";
export { macStep, gemmF32Plain } from "./mac/reference";
export { gemm } from "./mac/gemm";
