// Exports of the accelerator driver (assembly/accel) for the host: tests, benchmarks and the board's
// telemetry. Pointers are byte offsets in linear memory; a spec is a mac_spec_new pointer; booleans are
// i32 (0 = false).
import { MacSpec, gemmCheck, GEMM_OK } from "../arith/mac";
import { accelPresent, accelGemm, accelSetOperandFormats } from "../accel/driver";
import { gemmOnBackend, backendJobs, backendMacs, backendLastError, backendReset } from "../accel/backend";

/** 1 when an edgecl accelerator answers on the bus, else 0. */
export function accel_present(): i32 {
  return accelPresent() ? 1 : 0;
}

/** 0 when gemm would take the job, else the negative status accel_gemm documents for it. */
function refusal(m: i32, n: i32, k: i32, ldx: i32, transX: i32, ldw: i32, transW: i32, ldz: i32, spec: usize): i32 {
  if (spec == 0) return -107;
  const reason = gemmCheck(m, n, k, ldx, transX != 0, ldw, transW != 0, ldz, changetype<MacSpec>(spec));
  return reason == GEMM_OK ? 0 : -100 - reason;
}

/**
 * The job on the accelerator alone: 0 done, 1..255 the accelerator's error code (nothing written),
 * -1 no accelerator, -2 timed out; below that, minus 100 minus the GEMM_* reason gemm would refuse with,
 * and -107 for no spec.
 */
export function accel_gemm(m: i32, n: i32, k: i32, x: usize, ldx: i32, transX: i32, w: usize, ldw: i32, transW: i32,
                           z: usize, ldz: i32, accumulate: i32, spec: usize): i32 {
  const refused = refusal(m, n, k, ldx, transX, ldw, transW, ldz, spec);
  if (refused != 0) return refused;
  return accelGemm(m, n, k, x, ldx, transX != 0, w, ldw, transW != 0, z, ldz, accumulate != 0, changetype<MacSpec>(spec));
}

/**
 * The job on the backend the layers use: the accelerator when it can, else the CPU kernel. Returns the
 * path (0 accelerator, 1..6 the CPU and why: no accelerator, format, rounding, mode, empty, refused), or a
 * negative status as accel_gemm's for bad arguments.
 */
export function gemm_on_backend(m: i32, n: i32, k: i32, x: usize, ldx: i32, transX: i32, w: usize, ldw: i32, transW: i32,
                                z: usize, ldz: i32, accumulate: i32, spec: usize): i32 {
  const refused = refusal(m, n, k, ldx, transX, ldw, transW, ldz, spec);
  if (refused != 0) return refused;
  return gemmOnBackend(m, n, k, x, ldx, transX != 0, w, ldw, transW != 0, z, ldz, accumulate != 0, changetype<MacSpec>(spec));
}

/** Jobs and MACs per path (0..6, as gemm_on_backend returns) since accel_stats_reset. */
export function accel_path_jobs(path: i32): f64 {
  return backendJobs(path);
}
export function accel_path_macs(path: i32): f64 {
  return backendMacs(path);
}
/** The accelerator's last refusal: its error code, -2 for a timeout, 0 for none. */
export function accel_last_error(): i32 {
  return backendLastError();
}
export function accel_stats_reset(): void {
  backendReset();
}

/** Storage formats (format words) X and W are charged at by the accelerator's traffic model. */
export function accel_set_operand_formats(x: u32, w: u32): void {
  accelSetOperandFormats(x, w);
}
