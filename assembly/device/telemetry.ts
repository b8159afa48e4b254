// TELEMETRY: the device's half of the counters (MACs by path and format, memory, the model's checksum);
// the board fills in time, cycles and energy (docs/protocol.md, TELEMETRY).
import { TELEMETRY_FIXED_SIZE, TELEMETRY_FLAGS_OFFSET, TELEMETRY_FLAG_RESET_COUNTERS } from "../generated/protocol";
import { T_MACS_FORWARD, T_MACS_BACKWARD_DATA, T_MACS_BACKWARD_WEIGHT, T_MACS_EVAL } from "../nn/abi";
import {
  backendJobs, backendMacs, backendReset, backendMacUnits, backendCpuMacs, PATH_ACCELERATOR, PATH_CPU_NO_ACCELERATOR, PATH_COUNT,
  KERNEL_COUNT,
} from "../accel/backend";
import { deployed, learner } from "../cl/state";
import { crc32 } from "./image";
import { OK, replyStart, putU16, putU32, putF64, clampU32 } from "./reply";
import { request, memoryLimit, peak, used } from "./memory";
import { shortPayload, badFlags } from "./messages";

/** MACs counted when the counters were last reset. */
const macsBaseline = memory.data(8);

function macsNow(): f64 {
  if (!deployed) return 0;
  const t = learner.model.ctx.telemetry;
  return load<f64>(t + (<usize>T_MACS_FORWARD << 3)) + load<f64>(t + (<usize>T_MACS_BACKWARD_DATA << 3)) +
    load<f64>(t + (<usize>T_MACS_BACKWARD_WEIGHT << 3)) + load<f64>(t + (<usize>T_MACS_EVAL << 3));
}

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
  replyStart();
  putF64(0); // time: the board's
  putF64(macs);
  putF64(0); // accelerator cycles: the board's
  putF64(NaN); // energy: the board's
  putU32(clampU32(used()));
  putU32(clampU32(peak));
  putU32(clampU32(memoryLimit));
  putU32(0); // accelerator jobs: the board's
  putF64(NaN); // energy of the accelerator's arithmetic, of memory traffic and of the host CPU: the board's
  putF64(NaN);
  putF64(NaN);
  // Which path the GEMM jobs took (assembly/accel/backend.ts): MACs on the accelerator, CPU jobs by reason.
  putF64(backendMacs(PATH_ACCELERATOR));
  putU32(backendMacUnits());
  for (let path = PATH_CPU_NO_ACCELERATOR; path < PATH_COUNT; path++) putU32(clampU32(<u64>backendJobs(path)));
  // MACs the CPU path ran, by kernel: the boards' energy estimate charges each kernel its own cost.
  for (let kernel = 0; kernel < KERNEL_COUNT; kernel++) putF64(backendCpuMacs(kernel));
  if (deployed && macs > 0) {
    // Every product of the model is rounded to the mul role's format.
    putU16(1);
    putU32(learner.model.ctx.mul.word);
    putF64(macs);
  } else {
    putU16(0);
  }
  // The stored weights as the model holds them (packed codes): boards and reports compare models by it.
  putU32(deployed ? crc32(learner.model.ctx.weights, <usize>learner.model.modelBytes) : 0);
  if ((flags & TELEMETRY_FLAG_RESET_COUNTERS) != 0) resetCounters(macsNow());
  return OK;
}
