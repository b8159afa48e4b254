// TELEMETRY: the device's half of the counters (MACs by path and format, memory, the model's checksum);
// the board fills in time, cycles and energy (docs/protocol.md, TELEMETRY).
import {
  TELEMETRY_FIXED_SIZE, TELEMETRY_FLAGS_OFFSET, TELEMETRY_FLAG_RESET_COUNTERS, TELEMETRY_REPLY_FIXED_SIZE,
  TELEMETRY_REPLY_TIME_US_OFFSET, TELEMETRY_REPLY_MACS_OFFSET, TELEMETRY_REPLY_CYCLES_OFFSET, TELEMETRY_REPLY_ENERGY_J_OFFSET,
  TELEMETRY_REPLY_MEMORY_USED_OFFSET, TELEMETRY_REPLY_MEMORY_PEAK_OFFSET, TELEMETRY_REPLY_MEMORY_LIMIT_OFFSET,
  TELEMETRY_REPLY_ACCEL_JOBS_OFFSET, TELEMETRY_REPLY_ENERGY_ACCELERATOR_J_OFFSET, TELEMETRY_REPLY_ENERGY_MEMORY_J_OFFSET,
  TELEMETRY_REPLY_ENERGY_CPU_J_OFFSET, TELEMETRY_REPLY_ACCEL_MACS_OFFSET, TELEMETRY_REPLY_ACCEL_UNITS_OFFSET,
  TELEMETRY_REPLY_FALLBACK_NO_ACCELERATOR_OFFSET, TELEMETRY_REPLY_FALLBACK_FORMAT_OFFSET,
  TELEMETRY_REPLY_FALLBACK_ROUNDING_OFFSET, TELEMETRY_REPLY_FALLBACK_MODE_OFFSET, TELEMETRY_REPLY_FALLBACK_EMPTY_OFFSET,
  TELEMETRY_REPLY_FALLBACK_REFUSED_OFFSET, TELEMETRY_REPLY_CPU_MACS_EXACT_OFFSET, TELEMETRY_REPLY_CPU_MACS_EXACT_SR_OFFSET,
  TELEMETRY_REPLY_CPU_MACS_FAST_OFFSET, TELEMETRY_REPLY_MACS_BY_FORMAT_OFFSET,
} from "../generated/protocol";
import { T_MACS_FORWARD, T_MACS_BACKWARD_DATA, T_MACS_BACKWARD_WEIGHT, T_MACS_EVAL } from "../nn/abi";
import {
  backendJobs, backendMacs, backendReset, backendMacUnits, backendCpuMacs, PATH_ACCELERATOR, PATH_CPU_NO_ACCELERATOR,
  PATH_CPU_FORMAT, PATH_CPU_ROUNDING, PATH_CPU_MODE, PATH_CPU_EMPTY, PATH_CPU_REFUSED, KERNEL_EXACT, KERNEL_EXACT_SR, KERNEL_FAST,
} from "../accel/backend";
import { deployed, learner } from "../cl/state";
import { crc32 } from "./image";
import { OK, replyFixed, replyTail, setU32, setF64, putU32, clampU32 } from "./reply";
import { request, memoryLimit, peak, used } from "./memory";
import { shortPayload, badFlags } from "./messages";
import { putMacsByFormat } from "./precision";

/** MACs counted when the counters were last reset. */
const macsBaseline = memory.data(8);

function macsNow(): f64 {
  if (!deployed) return 0;
  const t = learner.model.ctx.telemetry;
  return load<f64>(t + (<usize>T_MACS_FORWARD << 3)) + load<f64>(t + (<usize>T_MACS_BACKWARD_DATA << 3)) +
    load<f64>(t + (<usize>T_MACS_BACKWARD_WEIGHT << 3)) + load<f64>(t + (<usize>T_MACS_EVAL << 3));
}

function fallbackJobs(path: i32): u32 { return clampU32(<u64>backendJobs(path)); }

/** Counting starts again from `macs` (0 for a new deployment). */
export function resetCounters(macs: f64): void {
  store<f64>(macsBaseline, macs);
  backendReset();
}

export function telemetry(length: u32): i32 {
  if (length < <u32>TELEMETRY_FIXED_SIZE) return shortPayload("TELEMETRY", length, TELEMETRY_FIXED_SIZE);
  const flags = <i32>load<u8>(request + TELEMETRY_FLAGS_OFFSET);
  if ((flags & ~TELEMETRY_FLAG_RESET_COUNTERS) != 0) return badFlags("TELEMETRY", "RESET_COUNTERS (1)", flags);
  const macs = macsNow() - load<f64>(macsBaseline);
  replyFixed(TELEMETRY_REPLY_FIXED_SIZE);
  // time, accelerator cycles, energy (total and its parts) and accelerator jobs: the board's
  setF64(TELEMETRY_REPLY_TIME_US_OFFSET, 0);
  setF64(TELEMETRY_REPLY_MACS_OFFSET, macs);
  setF64(TELEMETRY_REPLY_CYCLES_OFFSET, 0);
  setF64(TELEMETRY_REPLY_ENERGY_J_OFFSET, NaN);
  setU32(TELEMETRY_REPLY_MEMORY_USED_OFFSET, clampU32(used()));
  setU32(TELEMETRY_REPLY_MEMORY_PEAK_OFFSET, clampU32(peak));
  setU32(TELEMETRY_REPLY_MEMORY_LIMIT_OFFSET, clampU32(memoryLimit));
  setU32(TELEMETRY_REPLY_ACCEL_JOBS_OFFSET, 0);
  setF64(TELEMETRY_REPLY_ENERGY_ACCELERATOR_J_OFFSET, NaN);
  setF64(TELEMETRY_REPLY_ENERGY_MEMORY_J_OFFSET, NaN);
  setF64(TELEMETRY_REPLY_ENERGY_CPU_J_OFFSET, NaN);
  // Which path the GEMM jobs took (assembly/accel/backend.ts): MACs on the accelerator, CPU jobs by reason.
  setF64(TELEMETRY_REPLY_ACCEL_MACS_OFFSET, backendMacs(PATH_ACCELERATOR));
  setU32(TELEMETRY_REPLY_ACCEL_UNITS_OFFSET, backendMacUnits());
  setU32(TELEMETRY_REPLY_FALLBACK_NO_ACCELERATOR_OFFSET, fallbackJobs(PATH_CPU_NO_ACCELERATOR));
  setU32(TELEMETRY_REPLY_FALLBACK_FORMAT_OFFSET, fallbackJobs(PATH_CPU_FORMAT));
  setU32(TELEMETRY_REPLY_FALLBACK_ROUNDING_OFFSET, fallbackJobs(PATH_CPU_ROUNDING));
  setU32(TELEMETRY_REPLY_FALLBACK_MODE_OFFSET, fallbackJobs(PATH_CPU_MODE));
  setU32(TELEMETRY_REPLY_FALLBACK_EMPTY_OFFSET, fallbackJobs(PATH_CPU_EMPTY));
  setU32(TELEMETRY_REPLY_FALLBACK_REFUSED_OFFSET, fallbackJobs(PATH_CPU_REFUSED));
  // MACs the CPU path ran, by kernel: the boards' energy estimate charges each kernel its own cost.
  setF64(TELEMETRY_REPLY_CPU_MACS_EXACT_OFFSET, backendCpuMacs(KERNEL_EXACT));
  setF64(TELEMETRY_REPLY_CPU_MACS_EXACT_SR_OFFSET, backendCpuMacs(KERNEL_EXACT_SR));
  setF64(TELEMETRY_REPLY_CPU_MACS_FAST_OFFSET, backendCpuMacs(KERNEL_FAST));
  replyTail(TELEMETRY_REPLY_MACS_BY_FORMAT_OFFSET);
  putMacsByFormat((flags & TELEMETRY_FLAG_RESET_COUNTERS) != 0);
  // The stored weights as the model holds them (packed codes): boards and reports compare models by it.
  putU32(deployed ? crc32(learner.model.ctx.weights, <usize>learner.model.modelBytes) : 0);
  if ((flags & TELEMETRY_FLAG_RESET_COUNTERS) != 0) resetCounters(macsNow());
  return OK;
}
