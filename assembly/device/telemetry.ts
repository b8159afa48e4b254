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
  TELEMETRY_REPLY_CPU_MACS_FAST_OFFSET, TELEMETRY_REPLY_MACS_BY_FORMAT_OFFSET, TELEMETRY_REPLY_OPTIMIZER_STEPS_OFFSET,
  TELEMETRY_REPLY_LOSS_SCALE_SKIPS_OFFSET, TELEMETRY_REPLY_HEALTH_ITEM_SIZE, ERR_DOES_NOT_FIT,
} from "../generated/protocol";
import {
  T_MACS_FORWARD, T_MACS_BACKWARD_DATA, T_MACS_BACKWARD_WEIGHT, T_MACS_EVAL, T_STEPS, T_SKIPPED_STEPS, ROLE_COUNT,
  H_VALUES, H_OVERFLOWS, H_UNDERFLOWS, H_UPDATES, H_SWAMPED, H_MAX_ABS,
} from "../nn/abi";
import { Health, healthRow, rangeUsed } from "../nn/health";
import { healthReset } from "../nn/model";
import { layerRole } from "../nn/overrides";
import {
  backendJobs, backendMacs, backendReset, backendMacUnits, backendCpuMacs, PATH_ACCELERATOR, PATH_CPU_NO_ACCELERATOR,
  PATH_CPU_FORMAT, PATH_CPU_ROUNDING, PATH_CPU_MODE, PATH_CPU_EMPTY, PATH_CPU_REFUSED, KERNEL_EXACT, KERNEL_EXACT_SR, KERNEL_FAST,
} from "../accel/backend";
import { deployed, learner } from "../cl/state";
import { crc32 } from "./image";
import { OK, replyFixed, replyTail, replyAt, replyPtr, replyLen, fail, setU32, setF64, putU16, putU32, putF64, clampU32 } from "./reply";
import { request, memoryLimit, peak, used, scratchFor } from "./memory";
import { shortPayload, badFlags } from "./messages";
import { putMacsByFormat } from "./precision";

/** MACs counted when the counters were last reset. */
const macsBaseline = memory.data(8);
/** Optimizer steps applied and skipped when the counters were last reset (globals: no linear memory). */
let stepsBaseline: f64 = 0;
let skipsBaseline: f64 = 0;

/** The deployed model's nn telemetry slot, 0 when nothing is deployed. */
function slot(index: i32): f64 {
  return deployed ? load<f64>(learner.model.ctx.telemetry + (<usize>index << 3)) : 0;
}

function macsNow(): f64 {
  return slot(T_MACS_FORWARD) + slot(T_MACS_BACKWARD_DATA) + slot(T_MACS_BACKWARD_WEIGHT) + slot(T_MACS_EVAL);
}

function fallbackJobs(path: i32): u32 { return clampU32(<u64>backendJobs(path)); }

/** Counting starts again from `macs` (0 for a new deployment). */
export function resetCounters(macs: f64): void {
  store<f64>(macsBaseline, macs);
  stepsBaseline = slot(T_STEPS);
  skipsBaseline = slot(T_SKIPPED_STEPS);
  if (deployed) healthReset(learner.model);
  backendReset();
}

// @ts-ignore: decorator
@inline function word(row: usize, index: i32): f64 { return load<f64>(row + (<usize>index << 3)); }

/** A row that counted something: an item TELEMETRY sends. */
function counted(row: usize): bool { return word(row, H_VALUES) > 0 || word(row, H_UPDATES) > 0; }

/** The deployed model's health rows, 0 when it counts none. */
function healthRows(): usize {
  if (!deployed || learner.model.optimizer.health == 0) return 0;
  return changetype<Health>(learner.model.optimizer.health).rows;
}

/** Health rows that counted something. */
function healthItems(): i32 {
  const block = healthRows();
  if (block == 0) return 0;
  let items = 0;
  for (let l = 0; l < learner.model.layerCount; l++) {
    for (let r = 0; r < ROLE_COUNT; r++) {
      if (counted(healthRow(block, l, r))) items++;
    }
  }
  return items;
}

/**
 * Appends the health list at `at` (u16 count, then the items, docs/protocol.md TELEMETRY); returns the
 * bytes written.
 */
function writeHealth(at: usize, items: i32): u32 {
  store<u16>(at, <u16>items);
  let p = at + 2;
  if (items == 0) return 2;
  const ctx = learner.model.ctx;
  const block = healthRows();
  for (let l = 0; l < learner.model.layerCount; l++) {
    for (let r = 0; r < ROLE_COUNT; r++) {
      const row = healthRow(block, l, r);
      if (!counted(row)) continue;
      const role = layerRole(ctx, l, r);
      const maxAbs = word(row, H_MAX_ABS);
      store<u16>(p, <u16>l);
      store<u8>(p + 2, <u8>r);
      store<u32>(p + 3, role.word);
      p += 7;
      store<f64>(p, word(row, H_VALUES));
      store<f64>(p + 8, word(row, H_OVERFLOWS));
      store<f64>(p + 16, word(row, H_UNDERFLOWS));
      store<f64>(p + 24, word(row, H_UPDATES));
      store<f64>(p + 32, word(row, H_SWAMPED));
      store<f64>(p + 40, maxAbs);
      store<f64>(p + 48, rangeUsed(role.format, maxAbs));
      p += 56;
    }
  }
  return <u32>(p - at);
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
  setF64(TELEMETRY_REPLY_OPTIMIZER_STEPS_OFFSET, slot(T_STEPS) - stepsBaseline);
  setF64(TELEMETRY_REPLY_LOSS_SCALE_SKIPS_OFFSET, slot(T_SKIPPED_STEPS) - skipsBaseline);
  replyTail(TELEMETRY_REPLY_MACS_BY_FORMAT_OFFSET);
  putMacsByFormat((flags & TELEMETRY_FLAG_RESET_COUNTERS) != 0);
  // The stored weights as the model holds them (packed codes): boards and reports compare models by it.
  putU32(deployed ? crc32(learner.model.ctx.weights, <usize>learner.model.modelBytes) : 0);
  // The health list does not fit the reply buffer: with items, the whole reply moves to scratch memory.
  const items = healthItems();
  if (items == 0) {
    putU16(0);
  } else {
    const head = replyLen;
    const at = scratchFor(length, <u64>head + 2 + <u64>items * TELEMETRY_REPLY_HEALTH_ITEM_SIZE);
    if (at == 0) return fail(ERR_DOES_NOT_FIT);
    memory.copy(at, replyPtr, head);
    replyAt(at, head + writeHealth(at + head, items));
  }
  if ((flags & TELEMETRY_FLAG_RESET_COUNTERS) != 0) resetCounters(macsNow());
  return OK;
}
