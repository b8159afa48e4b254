// The accelerator driver: one GEMM job as a straight sequence (docs/accelerator.md): clear, configure,
// start, poll, check. The board provides the two bus imports; on a board without the accelerator every
// read returns ACCEL_ABSENT (all ones).
import {
  ACCEL_BASE, ACCEL_ABSENT, ACCEL_ID_OFFSET, ACCEL_ID_MAGIC, ACCEL_ID_MAJOR, ACCEL_ID_MAGIC_SHIFT, ACCEL_ID_MAGIC_MASK,
  ACCEL_ID_MAJOR_SHIFT, ACCEL_ID_MAJOR_MASK, ACCEL_CTRL_OFFSET, ACCEL_CTRL_START_SHIFT, ACCEL_CTRL_CLEAR_SHIFT,
  ACCEL_STATUS_OFFSET, ACCEL_STATUS_BUSY_SHIFT, ACCEL_STATUS_ERROR_SHIFT, ACCEL_STATUS_ERROR_MASK,
  ACCEL_X_ADDR_OFFSET, ACCEL_W_ADDR_OFFSET, ACCEL_Z_ADDR_OFFSET, ACCEL_M_OFFSET, ACCEL_N_OFFSET, ACCEL_K_OFFSET,
  ACCEL_LDX_OFFSET, ACCEL_LDW_OFFSET, ACCEL_LDZ_OFFSET, ACCEL_OP_OFFSET, ACCEL_OP_ACCUMULATE_SHIFT,
  ACCEL_OP_TRANS_X_SHIFT, ACCEL_OP_TRANS_W_SHIFT, ACCEL_OP_PACK_X_SHIFT, ACCEL_OP_PACK_W_SHIFT, ACCEL_OP_PACK_Z_SHIFT, ACCEL_CAPS_MODES_OFFSET,
  ACCEL_CAPS_MODES_PACKED_SHIFT, ACCEL_MUL_FMT_OFFSET, ACCEL_ACC_FMT_OFFSET, ACCEL_ROUND_OFFSET,
  ACCEL_ROUND_MUL_SHIFT, ACCEL_ROUND_ACC_SHIFT, ACCEL_MAC_OFFSET, ACCEL_MAC_FMA_SHIFT, ACCEL_MAC_FAST_SHIFT,
  ACCEL_SR_BITS_OFFSET, ACCEL_SR_KEY_OFFSET, ACCEL_X_FMT_OFFSET, ACCEL_W_FMT_OFFSET, ACCEL_FMT_FP32_WORD,
} from "../generated/regmap";
import { ROUND_RNE } from "../generated/formats";
import { MacSpec } from "../arith/mac";
import { Format, encodeRounded, encodeExactFloatCodes, decodeCode, decodeArray } from "../arith";

// @ts-ignore: decorator
@external("env", "mmio_read32")
declare function mmio_read32(addr: u32): u32;
// @ts-ignore: decorator
@external("env", "mmio_write32")
declare function mmio_write32(addr: u32, value: u32): void;

// @ts-ignore: decorator
@inline export function accelRead(offset: u32): u32 {
  return mmio_read32(ACCEL_BASE + offset);
}
// @ts-ignore: decorator
@inline export function accelWrite(offset: u32, value: u32): void {
  mmio_write32(ACCEL_BASE + offset, value);
}

/** accelGemm's results besides the accelerator's own error codes (1..255, spec/regmap.json). */
export const ACCEL_OK: i32 = 0;
/** No accelerator answered (ID all ones, or not an edgecl accelerator of this register-map version). */
export const ACCEL_NOT_PRESENT: i32 = -1;
/** STATUS stayed BUSY for ACCEL_POLL_LIMIT reads; the job was soft-cleared. */
export const ACCEL_TIMEOUT: i32 = -2;

/** Polls before a job counts as hung: far above any job's modelled length, low enough to end. */
export const ACCEL_POLL_LIMIT: i32 = 1 << 24;

/** True when an edgecl accelerator of this register-map major version answers at ACCEL_BASE. */
export function accelPresent(): bool {
  const id = accelRead(ACCEL_ID_OFFSET);
  if (id == ACCEL_ABSENT) return false;
  return ((id >>> ACCEL_ID_MAGIC_SHIFT) & ACCEL_ID_MAGIC_MASK) == ACCEL_ID_MAGIC &&
    ((id >>> ACCEL_ID_MAJOR_SHIFT) & ACCEL_ID_MAJOR_MASK) == ACCEL_ID_MAJOR;
}

// Formats of X and W (X_FMT, W_FMT): what their values are stored in. On an accelerator that reads packed
// operands (CAPS_MODES.PACKED) W may go as the weight store's own codes (accelOfferPackedW), and X, W and
// Z as codes encoded into the scratch the learner lends (accelPackOperands); everything else goes in f32
// containers.
let operandFormatX: u32 = ACCEL_FMT_FP32_WORD;
let operandFormatW: u32 = ACCEL_FMT_FP32_WORD;
// The float formats X's and W's values are in, when they may be packed (null: f32 containers).
let packFormatX: Format | null = null;
let packFormatW: Format | null = null;
let packZ: bool = false;
// Scratch for the codes of X, W and Z, and its bytes (0: none lent).
let scratchX: usize = 0;
let scratchW: usize = 0;
let scratchZ: usize = 0;
let bytesX: usize = 0;
let bytesW: usize = 0;
let bytesZ: usize = 0;
// W's packed codes for the next jobs (0: none), in format packedWordW, `packedBytesW` bytes each.
let packedW: usize = 0;
let packedWordW: u32 = 0;
let packedBytesW: u32 = 0;

/** Sets the formats the next jobs' X and W are stored in (format words; fp32 until set). */
export function accelSetOperandFormats(x: u32, w: u32): void {
  operandFormatX = x;
  operandFormatW = w;
}

/**
 * Offers W of the next jobs as packed codes too: `codes` holds the same elements as the f32 W at the same
 * strides, `bytes` (1 or 2) each, of float format `word`. An accelerator that reads packed operands
 * (CAPS_MODES.PACKED) reads them instead of the containers; the CPU path always takes the f32 W.
 * accelOfferPackedW(0, 0, 0) withdraws the offer.
 */
export function accelOfferPackedW(codes: usize, word: u32, bytes: u32): void {
  packedW = codes;
  packedWordW = word;
  packedBytesW = bytes;
}

/** Lends blocks (16-byte aligned, of the given bytes) for the codes of X, W and Z; zeros take them back. */
export function accelLendPackScratch(x: usize, xBytes: usize, w: usize, wBytes: usize, z: usize, zBytes: usize): void {
  scratchX = x;
  bytesX = xBytes;
  scratchW = w;
  bytesW = wBytes;
  scratchZ = z;
  bytesZ = zBytes;
}

/**
 * Says which operands of the next jobs may be packed: X's values are values of `x`, W's of `w` (null:
 * not known to be, they go in f32 containers), and with `z` Z goes as codes of the job's accumulator
 * format. Only a float format of 1- or 2-byte codes packs.
 */
export function accelPackOperands(x: Format | null, w: Format | null, z: bool): void {
  packFormatX = x;
  packFormatW = w;
  packZ = z;
}

/** The format an operand packs in: a float format of 1- or 2-byte codes, else null. */
function packable(f: Format | null): Format | null {
  return f != null && f.isFloat && f.bytes < 4 ? f : null;
}

/** Value of a code (a table lookup for 1-byte codes). */
// @ts-ignore: decorator
@inline function codeValue(code: u32, f: Format): f32 {
  return f.table != 0 ? load<f32>(f.table + (<usize>code << 2)) : decodeCode(code, f);
}

/**
 * Codes of `rows` rows of `row` f32 values (row stride `ld`) at `src`, written at `dst` (`room` bytes)
 * with the same strides; false when they do not fit or a value is not one of f's (the operand then goes
 * in f32 containers, so packing never changes a bit). NaN passes as the format's NaN: every kernel
 * stores a NaN result as the canonical NaN whatever NaN went in.
 */
function packRows(f: Format, src: usize, rows: i32, row: i32, ld: i32, dst: usize, room: usize): bool {
  if (!fits(f, rows, row, ld, room)) return false;
  const bytes = <usize>f.bytes;
  for (let r = 0; r < rows; r++) {
    const from = src + (<usize>(r * ld) << 2), to = dst + <usize>(r * ld) * bytes;
    for (let c = encodeExactFloatCodes(f, from, to, row); c < row; c++) {
      const v = load<f32>(from + (<usize>c << 2));
      const code = encodeRounded(v, f);
      const back = codeValue(code, f);
      if (reinterpret<u32>(back) != reinterpret<u32>(v) && !(v != v && back != back)) return false;
      if (bytes == 1) store<u8>(to + <usize>c, <u8>code);
      else store<u16>(to + (<usize>c << 1), <u16>code);
    }
  }
  return true;
}

/** True when `rows` rows of `row` codes of f, row stride `ld`, fit in `room` bytes. */
function fits(f: Format, rows: i32, row: i32, ld: i32, room: usize): bool {
  return (<u64>(rows - 1) * <u64>ld + <u64>row) * <u64>f.bytes <= <u64>room;
}

/** Decodes `rows` rows of `row` codes of f at `src` to f32 at `dst`, both with row stride `ld`. */
function unpackRows(f: Format, src: usize, rows: i32, row: i32, ld: i32, dst: usize): void {
  const bytes = <usize>f.bytes;
  for (let r = 0; r < rows; r++) decodeArray(f, src + <usize>(r * ld) * bytes, dst + (<usize>(r * ld) << 2), row);
}

/** The format word and rounding of a spec's product or sum: null means fp32 with rne (arith/mac.ts). */
// @ts-ignore: decorator
@inline export function specMulWord(spec: MacSpec): u32 {
  return spec.mul == null ? ACCEL_FMT_FP32_WORD : spec.mul!.word;
}
// @ts-ignore: decorator
@inline export function specMulMode(spec: MacSpec): u32 {
  return spec.mul == null ? <u32>ROUND_RNE : <u32>spec.mulMode;
}
// @ts-ignore: decorator
@inline export function specAccWord(spec: MacSpec): u32 {
  return spec.acc == null ? ACCEL_FMT_FP32_WORD : spec.acc!.word;
}
// @ts-ignore: decorator
@inline export function specAccMode(spec: MacSpec): u32 {
  return spec.acc == null ? <u32>ROUND_RNE : <u32>spec.accMode;
}

/**
 * Runs Z (= or +=) X·W on the accelerator with the arguments of arith/mac.ts gemm. Returns ACCEL_OK, the
 * accelerator's error code (the job was refused and Z is untouched), ACCEL_NOT_PRESENT or ACCEL_TIMEOUT.
 */
export function accelGemm(m: i32, n: i32, k: i32, x: usize, ldx: i32, transX: bool, w: usize, ldw: i32, transW: bool,
                          z: usize, ldz: i32, accumulate: bool, spec: MacSpec): i32 {
  if (!accelPresent()) return ACCEL_NOT_PRESENT;
  // Pack: the store's W codes where they are aligned, else codes encoded into the scratch.
  let xAt = x, wAt = w, zAt = z, xWord = operandFormatX, wWord = operandFormatW;
  let packX = false, packW = false;
  const zFormat = packZ && scratchZ != 0 ? packable(spec.acc) : null;
  const fx = scratchX != 0 ? packable(packFormatX) : null, fw = scratchW != 0 ? packable(packFormatW) : null;
  // CAPS is read only when something could go packed: a job with nothing to pack keeps the plain sequence.
  if ((packedW != 0 || fx != null || fw != null || zFormat != null) &&
      ((accelRead(ACCEL_CAPS_MODES_OFFSET) >>> ACCEL_CAPS_MODES_PACKED_SHIFT) & 1) != 0) {
    if (fx != null && packRows(fx, x, transX ? k : m, transX ? m : k, ldx, scratchX, bytesX)) {
      xAt = scratchX;
      xWord = fx.word;
      packX = true;
    }
    if (packedW != 0 && (packedBytesW == 1 || packedBytesW == 2) && packedW % packedBytesW == 0) {
      wAt = packedW;
      wWord = packedWordW;
      packW = true;
    } else if (fw != null && packRows(fw, w, transW ? n : k, transW ? k : n, ldw, scratchW, bytesW)) {
      wAt = scratchW;
      wWord = fw.word;
      packW = true;
    }
    // Z's codes keep its row stride; an accumulating job starts from Z's values, so they must be codes too.
    if (zFormat != null && (accumulate ? packRows(zFormat, z, m, n, ldz, scratchZ, bytesZ) : fits(zFormat, m, n, ldz, bytesZ))) {
      zAt = scratchZ;
    }
  }
  // Clear: registers, status and counters back to reset.
  accelWrite(ACCEL_CTRL_OFFSET, <u32>1 << ACCEL_CTRL_CLEAR_SHIFT);
  // Configure.
  accelWrite(ACCEL_X_ADDR_OFFSET, <u32>xAt);
  accelWrite(ACCEL_W_ADDR_OFFSET, <u32>wAt);
  accelWrite(ACCEL_Z_ADDR_OFFSET, <u32>zAt);
  accelWrite(ACCEL_M_OFFSET, <u32>m);
  accelWrite(ACCEL_N_OFFSET, <u32>n);
  accelWrite(ACCEL_K_OFFSET, <u32>k);
  accelWrite(ACCEL_LDX_OFFSET, <u32>ldx);
  accelWrite(ACCEL_LDW_OFFSET, <u32>ldw);
  accelWrite(ACCEL_LDZ_OFFSET, <u32>ldz);
  accelWrite(ACCEL_OP_OFFSET,
    (<u32>accumulate << ACCEL_OP_ACCUMULATE_SHIFT) | (<u32>transX << ACCEL_OP_TRANS_X_SHIFT) | (<u32>transW << ACCEL_OP_TRANS_W_SHIFT) |
    (<u32>packX << ACCEL_OP_PACK_X_SHIFT) | (<u32>packW << ACCEL_OP_PACK_W_SHIFT) | (<u32>(zAt != z) << ACCEL_OP_PACK_Z_SHIFT));
  accelWrite(ACCEL_MUL_FMT_OFFSET, specMulWord(spec));
  accelWrite(ACCEL_ACC_FMT_OFFSET, specAccWord(spec));
  accelWrite(ACCEL_ROUND_OFFSET, (specMulMode(spec) << ACCEL_ROUND_MUL_SHIFT) | (specAccMode(spec) << ACCEL_ROUND_ACC_SHIFT));
  // fast takes precedence over fma, as in arith/mac.ts.
  accelWrite(ACCEL_MAC_OFFSET, spec.fast ? <u32>1 << ACCEL_MAC_FAST_SHIFT : <u32>spec.fma << ACCEL_MAC_FMA_SHIFT);
  accelWrite(ACCEL_SR_BITS_OFFSET, <u32>spec.srBits);
  accelWrite(ACCEL_SR_KEY_OFFSET, spec.srKey);
  accelWrite(ACCEL_X_FMT_OFFSET, xWord);
  accelWrite(ACCEL_W_FMT_OFFSET, wWord);
  // Start.
  accelWrite(ACCEL_CTRL_OFFSET, <u32>1 << ACCEL_CTRL_START_SHIFT);
  // Poll.
  let status = accelRead(ACCEL_STATUS_OFFSET);
  for (let polls = 1; (status >>> ACCEL_STATUS_BUSY_SHIFT) & 1; polls++) {
    if (polls >= ACCEL_POLL_LIMIT) {
      accelWrite(ACCEL_CTRL_OFFSET, <u32>1 << ACCEL_CTRL_CLEAR_SHIFT);
      return ACCEL_TIMEOUT;
    }
    status = accelRead(ACCEL_STATUS_OFFSET);
  }
  // Check; a packed Z comes back as f32 values (a refused job wrote nothing, so Z is untouched).
  const error = <i32>((status >>> ACCEL_STATUS_ERROR_SHIFT) & ACCEL_STATUS_ERROR_MASK);
  if (error == ACCEL_OK && zAt != z) unpackRows(zFormat!, zAt, m, n, ldz, z);
  return error;
}
