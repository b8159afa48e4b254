// Generated from spec/regmap.json by scripts/gen-regmap.mjs. Do not edit: change the spec and run `npm run build`.

/** base address of the register block */
export const ACCEL_BASE = 0x40000000;
/** bytes of address space the block decodes */
export const ACCEL_SPAN = 0x00001000;
/** ID.MAGIC on every edgecl accelerator */
export const ACCEL_ID_MAGIC = 0x0000EDC1;
/** register-map major version */
export const ACCEL_ID_MAJOR = 1;
/** register-map minor version */
export const ACCEL_ID_MINOR = 1;
/** a read on a board without the accelerator */
export const ACCEL_ABSENT = 0xFFFFFFFF;
/** identification: magic number and register-map version */
export const ACCEL_ID_OFFSET = 0x00000000;
/** reset value of ID */
export const ACCEL_ID_RESET = 0xEDC10101;
export const ACCEL_ID_MINOR_SHIFT = 0;
export const ACCEL_ID_MINOR_MASK = 0x000000FF;
export const ACCEL_ID_MAJOR_SHIFT = 8;
export const ACCEL_ID_MAJOR_MASK = 0x000000FF;
export const ACCEL_ID_MAGIC_SHIFT = 16;
export const ACCEL_ID_MAGIC_MASK = 0x0000FFFF;
/** supported formats, one bit per entry of the format list */
export const ACCEL_CAPS_FORMATS_OFFSET = 0x00000004;
export const ACCEL_CAPS_FORMATS_PRODUCT_SHIFT = 0;
export const ACCEL_CAPS_FORMATS_PRODUCT_MASK = 0x0000FFFF;
export const ACCEL_CAPS_FORMATS_ACCUMULATOR_SHIFT = 16;
export const ACCEL_CAPS_FORMATS_ACCUMULATOR_MASK = 0x0000FFFF;
/** size of the MAC array */
export const ACCEL_CAPS_ARRAY_OFFSET = 0x00000008;
export const ACCEL_CAPS_ARRAY_ROWS_SHIFT = 0;
export const ACCEL_CAPS_ARRAY_ROWS_MASK = 0x000000FF;
export const ACCEL_CAPS_ARRAY_COLS_SHIFT = 8;
export const ACCEL_CAPS_ARRAY_COLS_MASK = 0x000000FF;
/** supported rounding modes and MAC modes */
export const ACCEL_CAPS_MODES_OFFSET = 0x0000000C;
export const ACCEL_CAPS_MODES_ROUNDING_SHIFT = 0;
export const ACCEL_CAPS_MODES_ROUNDING_MASK = 0x000000FF;
export const ACCEL_CAPS_MODES_FMA_SHIFT = 8;
export const ACCEL_CAPS_MODES_FMA_MASK = 0x00000001;
export const ACCEL_CAPS_MODES_FAST_SHIFT = 9;
export const ACCEL_CAPS_MODES_FAST_MASK = 0x00000001;
export const ACCEL_CAPS_MODES_PACKED_SHIFT = 10;
export const ACCEL_CAPS_MODES_PACKED_MASK = 0x00000001;
/** byte offset of X in the WASM linear memory */
export const ACCEL_X_ADDR_OFFSET = 0x00000010;
/** reset value of X_ADDR */
export const ACCEL_X_ADDR_RESET = 0x00000000;
/** byte offset of W in the WASM linear memory */
export const ACCEL_W_ADDR_OFFSET = 0x00000014;
/** reset value of W_ADDR */
export const ACCEL_W_ADDR_RESET = 0x00000000;
/** byte offset of Z in the WASM linear memory */
export const ACCEL_Z_ADDR_OFFSET = 0x00000018;
/** reset value of Z_ADDR */
export const ACCEL_Z_ADDR_RESET = 0x00000000;
/** rows of Z (and of X) */
export const ACCEL_M_OFFSET = 0x0000001C;
/** reset value of M */
export const ACCEL_M_RESET = 0x00000000;
/** columns of Z (and of W) */
export const ACCEL_N_OFFSET = 0x00000020;
/** reset value of N */
export const ACCEL_N_RESET = 0x00000000;
/** length of every dot product */
export const ACCEL_K_OFFSET = 0x00000024;
/** reset value of K */
export const ACCEL_K_RESET = 0x00000000;
/** elements between consecutive rows of X as stored (M x K, or K x M when transposed) */
export const ACCEL_LDX_OFFSET = 0x00000028;
/** reset value of LDX */
export const ACCEL_LDX_RESET = 0x00000000;
/** elements between consecutive rows of W as stored (K x N, or N x K when transposed) */
export const ACCEL_LDW_OFFSET = 0x0000002C;
/** reset value of LDW */
export const ACCEL_LDW_RESET = 0x00000000;
/** elements between consecutive rows of Z (M x N) */
export const ACCEL_LDZ_OFFSET = 0x00000030;
/** reset value of LDZ */
export const ACCEL_LDZ_RESET = 0x00000000;
/** the operation: Z = X·W or Z += X·W, with operands optionally stored transposed */
export const ACCEL_OP_OFFSET = 0x00000034;
/** reset value of OP */
export const ACCEL_OP_RESET = 0x00000000;
export const ACCEL_OP_ACCUMULATE_SHIFT = 0;
export const ACCEL_OP_ACCUMULATE_MASK = 0x00000001;
export const ACCEL_OP_TRANS_X_SHIFT = 1;
export const ACCEL_OP_TRANS_X_MASK = 0x00000001;
export const ACCEL_OP_TRANS_W_SHIFT = 2;
export const ACCEL_OP_TRANS_W_MASK = 0x00000001;
export const ACCEL_OP_PACK_X_SHIFT = 3;
export const ACCEL_OP_PACK_X_MASK = 0x00000001;
export const ACCEL_OP_PACK_W_SHIFT = 4;
export const ACCEL_OP_PACK_W_MASK = 0x00000001;
export const ACCEL_OP_PACK_Z_SHIFT = 5;
export const ACCEL_OP_PACK_Z_MASK = 0x00000001;
/** format word products are rounded to (reset: fp32) */
export const ACCEL_MUL_FMT_OFFSET = 0x00000038;
/** reset value of MUL_FMT */
export const ACCEL_MUL_FMT_RESET = 0x00170800;
/** format word the running sum is rounded to after every add (reset: fp32) */
export const ACCEL_ACC_FMT_OFFSET = 0x0000003C;
/** reset value of ACC_FMT */
export const ACCEL_ACC_FMT_RESET = 0x00170800;
/** rounding modes (codes of spec/formats.json) */
export const ACCEL_ROUND_OFFSET = 0x00000040;
/** reset value of ROUND */
export const ACCEL_ROUND_RESET = 0x00000000;
export const ACCEL_ROUND_MUL_SHIFT = 0;
export const ACCEL_ROUND_MUL_MASK = 0x0000000F;
export const ACCEL_ROUND_ACC_SHIFT = 4;
export const ACCEL_ROUND_ACC_MASK = 0x0000000F;
/** how each multiply-accumulate is rounded */
export const ACCEL_MAC_OFFSET = 0x00000044;
/** reset value of MAC */
export const ACCEL_MAC_RESET = 0x00000000;
export const ACCEL_MAC_FMA_SHIFT = 0;
export const ACCEL_MAC_FMA_MASK = 0x00000001;
export const ACCEL_MAC_FAST_SHIFT = 1;
export const ACCEL_MAC_FAST_MASK = 0x00000001;
/** random bits per stochastic rounding, 1..32; 0 means 32 */
export const ACCEL_SR_BITS_OFFSET = 0x00000048;
/** reset value of SR_BITS */
export const ACCEL_SR_BITS_RESET = 0x00000000;
/** key of the SR lane streams (docs/gemm.md) */
export const ACCEL_SR_KEY_OFFSET = 0x0000004C;
/** reset value of SR_KEY */
export const ACCEL_SR_KEY_RESET = 0x00000000;
/** format of X's values; with OP.PACK_X the format of the codes X holds (decoded as docs/formats.md gives), without it X holds f32 containers (4 bytes per element) and X_FMT is only checked to be a float format word */
export const ACCEL_X_FMT_OFFSET = 0x00000050;
/** reset value of X_FMT */
export const ACCEL_X_FMT_RESET = 0x00170800;
/** format of W's values, as X_FMT (with OP.PACK_W) */
export const ACCEL_W_FMT_OFFSET = 0x00000054;
/** reset value of W_FMT */
export const ACCEL_W_FMT_RESET = 0x00170800;
/** control; reads return 0 */
export const ACCEL_CTRL_OFFSET = 0x00000060;
/** reset value of CTRL */
export const ACCEL_CTRL_RESET = 0x00000000;
export const ACCEL_CTRL_START_SHIFT = 0;
export const ACCEL_CTRL_START_MASK = 0x00000001;
export const ACCEL_CTRL_CLEAR_SHIFT = 1;
export const ACCEL_CTRL_CLEAR_MASK = 0x00000001;
/** job status */
export const ACCEL_STATUS_OFFSET = 0x00000064;
/** reset value of STATUS */
export const ACCEL_STATUS_RESET = 0x00000000;
export const ACCEL_STATUS_BUSY_SHIFT = 0;
export const ACCEL_STATUS_BUSY_MASK = 0x00000001;
export const ACCEL_STATUS_DONE_SHIFT = 1;
export const ACCEL_STATUS_DONE_MASK = 0x00000001;
export const ACCEL_STATUS_ERROR_SHIFT = 8;
export const ACCEL_STATUS_ERROR_MASK = 0x000000FF;
/** offset of the register the error is about (for example 0x038 when MUL_FMT is unsupported) */
export const ACCEL_ERROR_INFO_OFFSET = 0x00000068;
/** reset value of ERROR_INFO */
export const ACCEL_ERROR_INFO_RESET = 0x00000000;
/** modelled cycles since the last clear, low word */
export const ACCEL_CYCLES_LO_OFFSET = 0x00000080;
/** reset value of CYCLES_LO */
export const ACCEL_CYCLES_LO_RESET = 0x00000000;
/** modelled cycles, high word */
export const ACCEL_CYCLES_HI_OFFSET = 0x00000084;
/** reset value of CYCLES_HI */
export const ACCEL_CYCLES_HI_RESET = 0x00000000;
/** multiply-accumulates since the last clear, low word */
export const ACCEL_MACS_LO_OFFSET = 0x00000088;
/** reset value of MACS_LO */
export const ACCEL_MACS_LO_RESET = 0x00000000;
/** multiply-accumulates, high word */
export const ACCEL_MACS_HI_OFFSET = 0x0000008C;
/** reset value of MACS_HI */
export const ACCEL_MACS_HI_RESET = 0x00000000;
/** bytes the modelled hardware read from memory, low word */
export const ACCEL_BYTES_READ_LO_OFFSET = 0x00000090;
/** reset value of BYTES_READ_LO */
export const ACCEL_BYTES_READ_LO_RESET = 0x00000000;
/** bytes read, high word */
export const ACCEL_BYTES_READ_HI_OFFSET = 0x00000094;
/** reset value of BYTES_READ_HI */
export const ACCEL_BYTES_READ_HI_RESET = 0x00000000;
/** bytes the modelled hardware wrote to memory, low word */
export const ACCEL_BYTES_WRITTEN_LO_OFFSET = 0x00000098;
/** reset value of BYTES_WRITTEN_LO */
export const ACCEL_BYTES_WRITTEN_LO_RESET = 0x00000000;
/** bytes written, high word */
export const ACCEL_BYTES_WRITTEN_HI_OFFSET = 0x0000009C;
/** reset value of BYTES_WRITTEN_HI */
export const ACCEL_BYTES_WRITTEN_HI_RESET = 0x00000000;
/** modelled energy in femtojoules (1e-15 J) since the last clear, low word */
export const ACCEL_ENERGY_FJ_LO_OFFSET = 0x000000A0;
/** reset value of ENERGY_FJ_LO */
export const ACCEL_ENERGY_FJ_LO_RESET = 0x00000000;
/** modelled energy in femtojoules, high word */
export const ACCEL_ENERGY_FJ_HI_OFFSET = 0x000000A4;
/** reset value of ENERGY_FJ_HI */
export const ACCEL_ENERGY_FJ_HI_RESET = 0x00000000;
/** jobs completed without error since the last clear */
export const ACCEL_JOBS_OFFSET = 0x000000A8;
/** reset value of JOBS */
export const ACCEL_JOBS_RESET = 0x00000000;
/** no error */
export const ACCEL_ERR_NONE = 0;
/** MUL_FMT, ACC_FMT, X_FMT or W_FMT names a format this accelerator does not support (CAPS_FORMATS), or is not a valid float format word */
export const ACCEL_ERR_UNSUPPORTED_FORMAT = 1;
/** a rounding code in ROUND is unknown or not supported (CAPS_MODES.ROUNDING), or SR_BITS is above 32 */
export const ACCEL_ERR_UNSUPPORTED_ROUNDING = 2;
/** an element of X, W or Z lies outside the WASM linear memory (each element counted at its width: OP.PACK_X / OP.PACK_W / OP.PACK_Z) */
export const ACCEL_ERR_OUT_OF_BOUNDS = 3;
/** M, N or K is 0 */
export const ACCEL_ERR_ZERO_DIMENSION = 4;
/** a register was written or START issued while a job was running; the write was ignored */
export const ACCEL_ERR_BUSY = 5;
/** OP or MAC has a reserved bit set, or asks for a mode this accelerator lacks (CAPS_MODES: FMA, FAST, PACKED) */
export const ACCEL_ERR_BAD_OP = 6;
/** LDX, LDW or LDZ is smaller than the row it steps over (strides count elements, whatever their width) */
export const ACCEL_ERR_BAD_STRIDE = 7;
/** X_ADDR, W_ADDR or Z_ADDR is not a multiple of its operand's element width (4 for f32 containers; packed: 1, 2 or 4 by the storage width of X_FMT / W_FMT / ACC_FMT) */
export const ACCEL_ERR_MISALIGNED = 8;
/** bit of e4m3 in CAPS_FORMATS */
export const ACCEL_FMT_E4M3_BIT = 0;
/** format word of e4m3 */
export const ACCEL_FMT_E4M3_WORD = 0x00030410;
/** bit of e5m2 in CAPS_FORMATS */
export const ACCEL_FMT_E5M2_BIT = 1;
/** format word of e5m2 */
export const ACCEL_FMT_E5M2_WORD = 0x00020500;
/** bit of fp16 in CAPS_FORMATS */
export const ACCEL_FMT_FP16_BIT = 2;
/** format word of fp16 */
export const ACCEL_FMT_FP16_WORD = 0x000A0500;
/** bit of bf16 in CAPS_FORMATS */
export const ACCEL_FMT_BF16_BIT = 3;
/** format word of bf16 */
export const ACCEL_FMT_BF16_WORD = 0x00070800;
/** bit of fp32 in CAPS_FORMATS */
export const ACCEL_FMT_FP32_BIT = 4;
/** format word of fp32 */
export const ACCEL_FMT_FP32_WORD = 0x00170800;

export type RegisterAccess = "ro" | "rw" | "wo";
export interface RegisterField { name: string; lsb: number; bits: number; mask: number; meaning: string }
/** reset is null for read-only registers whose value comes from the accelerator's configuration. */
export interface Register { name: string; offset: number; access: RegisterAccess; reset: number | null; reserved: number; meaning: string; fields: RegisterField[] }
export const REGISTERS: readonly Register[] = [
  {
    "name": "ID",
    "offset": 0,
    "access": "ro",
    "reset": 3988848897,
    "meaning": "identification: magic number and register-map version",
    "fields": [
      {
        "name": "MINOR",
        "lsb": 0,
        "bits": 8,
        "mask": 255,
        "meaning": "register-map minor version"
      },
      {
        "name": "MAJOR",
        "lsb": 8,
        "bits": 8,
        "mask": 255,
        "meaning": "register-map major version"
      },
      {
        "name": "MAGIC",
        "lsb": 16,
        "bits": 16,
        "mask": 65535,
        "meaning": "0xEDC1 on every edgecl accelerator"
      }
    ],
    "reserved": 0
  },
  {
    "name": "CAPS_FORMATS",
    "offset": 4,
    "access": "ro",
    "reset": null,
    "meaning": "supported formats, one bit per entry of the format list",
    "fields": [
      {
        "name": "PRODUCT",
        "lsb": 0,
        "bits": 16,
        "mask": 65535,
        "meaning": "formats products may be rounded to (MUL_FMT)"
      },
      {
        "name": "ACCUMULATOR",
        "lsb": 16,
        "bits": 16,
        "mask": 65535,
        "meaning": "formats the running sum may be rounded to (ACC_FMT)"
      }
    ],
    "reserved": 0
  },
  {
    "name": "CAPS_ARRAY",
    "offset": 8,
    "access": "ro",
    "reset": null,
    "meaning": "size of the MAC array",
    "fields": [
      {
        "name": "ROWS",
        "lsb": 0,
        "bits": 8,
        "mask": 255,
        "meaning": "rows of MAC units (outputs along M computed at once)"
      },
      {
        "name": "COLS",
        "lsb": 8,
        "bits": 8,
        "mask": 255,
        "meaning": "columns of MAC units (outputs along N computed at once)"
      }
    ],
    "reserved": 4294901760
  },
  {
    "name": "CAPS_MODES",
    "offset": 12,
    "access": "ro",
    "reset": null,
    "meaning": "supported rounding modes and MAC modes",
    "fields": [
      {
        "name": "ROUNDING",
        "lsb": 0,
        "bits": 8,
        "mask": 255,
        "meaning": "bit r set: rounding code r (spec/formats.json) is supported"
      },
      {
        "name": "FMA",
        "lsb": 8,
        "bits": 1,
        "mask": 1,
        "meaning": "fused multiply-add (MAC.FMA) is supported"
      },
      {
        "name": "FAST",
        "lsb": 9,
        "bits": 1,
        "mask": 1,
        "meaning": "f32 accumulation with one final rounding (MAC.FAST) is supported"
      },
      {
        "name": "PACKED",
        "lsb": 10,
        "bits": 1,
        "mask": 1,
        "meaning": "operands packed in their storage width (OP.PACK_X, OP.PACK_W, OP.PACK_Z) are supported"
      }
    ],
    "reserved": 4294965248
  },
  {
    "name": "X_ADDR",
    "offset": 16,
    "access": "rw",
    "reset": 0,
    "meaning": "byte offset of X in the WASM linear memory",
    "fields": [],
    "reserved": 0
  },
  {
    "name": "W_ADDR",
    "offset": 20,
    "access": "rw",
    "reset": 0,
    "meaning": "byte offset of W in the WASM linear memory",
    "fields": [],
    "reserved": 0
  },
  {
    "name": "Z_ADDR",
    "offset": 24,
    "access": "rw",
    "reset": 0,
    "meaning": "byte offset of Z in the WASM linear memory",
    "fields": [],
    "reserved": 0
  },
  {
    "name": "M",
    "offset": 28,
    "access": "rw",
    "reset": 0,
    "meaning": "rows of Z (and of X)",
    "fields": [],
    "reserved": 0
  },
  {
    "name": "N",
    "offset": 32,
    "access": "rw",
    "reset": 0,
    "meaning": "columns of Z (and of W)",
    "fields": [],
    "reserved": 0
  },
  {
    "name": "K",
    "offset": 36,
    "access": "rw",
    "reset": 0,
    "meaning": "length of every dot product",
    "fields": [],
    "reserved": 0
  },
  {
    "name": "LDX",
    "offset": 40,
    "access": "rw",
    "reset": 0,
    "meaning": "elements between consecutive rows of X as stored (M x K, or K x M when transposed)",
    "fields": [],
    "reserved": 0
  },
  {
    "name": "LDW",
    "offset": 44,
    "access": "rw",
    "reset": 0,
    "meaning": "elements between consecutive rows of W as stored (K x N, or N x K when transposed)",
    "fields": [],
    "reserved": 0
  },
  {
    "name": "LDZ",
    "offset": 48,
    "access": "rw",
    "reset": 0,
    "meaning": "elements between consecutive rows of Z (M x N)",
    "fields": [],
    "reserved": 0
  },
  {
    "name": "OP",
    "offset": 52,
    "access": "rw",
    "reset": 0,
    "meaning": "the operation: Z = X·W or Z += X·W, with operands optionally stored transposed",
    "fields": [
      {
        "name": "ACCUMULATE",
        "lsb": 0,
        "bits": 1,
        "mask": 1,
        "meaning": "1: Z += X·W (the running sum starts from Z); 0: Z = X·W"
      },
      {
        "name": "TRANS_X",
        "lsb": 1,
        "bits": 1,
        "mask": 1,
        "meaning": "X is stored K x M: element (i, k) at X[k*LDX + i]"
      },
      {
        "name": "TRANS_W",
        "lsb": 2,
        "bits": 1,
        "mask": 1,
        "meaning": "W is stored N x K: element (k, j) at W[j*LDW + k]"
      },
      {
        "name": "PACK_X",
        "lsb": 3,
        "bits": 1,
        "mask": 1,
        "meaning": "1: X holds codes of X_FMT in its storage width (u8 for formats of <= 8 bits, u16 for <= 16, f32 above); 0: X holds f32 containers"
      },
      {
        "name": "PACK_W",
        "lsb": 4,
        "bits": 1,
        "mask": 1,
        "meaning": "1: W holds codes of W_FMT in its storage width, as PACK_X; 0: W holds f32 containers"
      },
      {
        "name": "PACK_Z",
        "lsb": 5,
        "bits": 1,
        "mask": 1,
        "meaning": "1: Z holds codes of ACC_FMT in its storage width, as PACK_X: the job writes (and with ACCUMULATE first reads) codes; 0: Z holds f32 containers"
      }
    ],
    "reserved": 4294967232
  },
  {
    "name": "MUL_FMT",
    "offset": 56,
    "access": "rw",
    "reset": 1509376,
    "meaning": "format word products are rounded to (reset: fp32)",
    "fields": [],
    "reserved": 0
  },
  {
    "name": "ACC_FMT",
    "offset": 60,
    "access": "rw",
    "reset": 1509376,
    "meaning": "format word the running sum is rounded to after every add (reset: fp32)",
    "fields": [],
    "reserved": 0
  },
  {
    "name": "ROUND",
    "offset": 64,
    "access": "rw",
    "reset": 0,
    "meaning": "rounding modes (codes of spec/formats.json)",
    "fields": [
      {
        "name": "MUL",
        "lsb": 0,
        "bits": 4,
        "mask": 15,
        "meaning": "rounding of products to MUL_FMT"
      },
      {
        "name": "ACC",
        "lsb": 4,
        "bits": 4,
        "mask": 15,
        "meaning": "rounding of the running sum to ACC_FMT"
      }
    ],
    "reserved": 4294967040
  },
  {
    "name": "MAC",
    "offset": 68,
    "access": "rw",
    "reset": 0,
    "meaning": "how each multiply-accumulate is rounded",
    "fields": [
      {
        "name": "FMA",
        "lsb": 0,
        "bits": 1,
        "mask": 1,
        "meaning": "fused: one rounding of sum + x·w to ACC_FMT per step; MUL_FMT and ROUND.MUL unused"
      },
      {
        "name": "FAST",
        "lsb": 1,
        "bits": 1,
        "mask": 1,
        "meaning": "f32 accumulation, one rounding of each result to ACC_FMT"
      }
    ],
    "reserved": 4294967292
  },
  {
    "name": "SR_BITS",
    "offset": 72,
    "access": "rw",
    "reset": 0,
    "meaning": "random bits per stochastic rounding, 1..32; 0 means 32",
    "fields": [],
    "reserved": 0
  },
  {
    "name": "SR_KEY",
    "offset": 76,
    "access": "rw",
    "reset": 0,
    "meaning": "key of the SR lane streams (docs/gemm.md)",
    "fields": [],
    "reserved": 0
  },
  {
    "name": "X_FMT",
    "offset": 80,
    "access": "rw",
    "reset": 1509376,
    "meaning": "format of X's values; with OP.PACK_X the format of the codes X holds (decoded as docs/formats.md gives), without it X holds f32 containers (4 bytes per element) and X_FMT is only checked to be a float format word",
    "fields": [],
    "reserved": 0
  },
  {
    "name": "W_FMT",
    "offset": 84,
    "access": "rw",
    "reset": 1509376,
    "meaning": "format of W's values, as X_FMT (with OP.PACK_W)",
    "fields": [],
    "reserved": 0
  },
  {
    "name": "CTRL",
    "offset": 96,
    "access": "wo",
    "reset": 0,
    "meaning": "control; reads return 0",
    "fields": [
      {
        "name": "START",
        "lsb": 0,
        "bits": 1,
        "mask": 1,
        "meaning": "validate the programmed job and run it"
      },
      {
        "name": "CLEAR",
        "lsb": 1,
        "bits": 1,
        "mask": 1,
        "meaning": "soft clear: every rw register, STATUS, ERROR_INFO and the counters return to their reset values"
      }
    ],
    "reserved": 4294967292
  },
  {
    "name": "STATUS",
    "offset": 100,
    "access": "ro",
    "reset": 0,
    "meaning": "job status",
    "fields": [
      {
        "name": "BUSY",
        "lsb": 0,
        "bits": 1,
        "mask": 1,
        "meaning": "a job is running"
      },
      {
        "name": "DONE",
        "lsb": 1,
        "bits": 1,
        "mask": 1,
        "meaning": "the last START has finished (with or without an error)"
      },
      {
        "name": "ERROR",
        "lsb": 8,
        "bits": 8,
        "mask": 255,
        "meaning": "error code of the last START or refused write (0: none)"
      }
    ],
    "reserved": 4294902012
  },
  {
    "name": "ERROR_INFO",
    "offset": 104,
    "access": "ro",
    "reset": 0,
    "meaning": "offset of the register the error is about (for example 0x038 when MUL_FMT is unsupported)",
    "fields": [],
    "reserved": 0
  },
  {
    "name": "CYCLES_LO",
    "offset": 128,
    "access": "ro",
    "reset": 0,
    "meaning": "modelled cycles since the last clear, low word",
    "fields": [],
    "reserved": 0
  },
  {
    "name": "CYCLES_HI",
    "offset": 132,
    "access": "ro",
    "reset": 0,
    "meaning": "modelled cycles, high word",
    "fields": [],
    "reserved": 0
  },
  {
    "name": "MACS_LO",
    "offset": 136,
    "access": "ro",
    "reset": 0,
    "meaning": "multiply-accumulates since the last clear, low word",
    "fields": [],
    "reserved": 0
  },
  {
    "name": "MACS_HI",
    "offset": 140,
    "access": "ro",
    "reset": 0,
    "meaning": "multiply-accumulates, high word",
    "fields": [],
    "reserved": 0
  },
  {
    "name": "BYTES_READ_LO",
    "offset": 144,
    "access": "ro",
    "reset": 0,
    "meaning": "bytes the modelled hardware read from memory, low word",
    "fields": [],
    "reserved": 0
  },
  {
    "name": "BYTES_READ_HI",
    "offset": 148,
    "access": "ro",
    "reset": 0,
    "meaning": "bytes read, high word",
    "fields": [],
    "reserved": 0
  },
  {
    "name": "BYTES_WRITTEN_LO",
    "offset": 152,
    "access": "ro",
    "reset": 0,
    "meaning": "bytes the modelled hardware wrote to memory, low word",
    "fields": [],
    "reserved": 0
  },
  {
    "name": "BYTES_WRITTEN_HI",
    "offset": 156,
    "access": "ro",
    "reset": 0,
    "meaning": "bytes written, high word",
    "fields": [],
    "reserved": 0
  },
  {
    "name": "ENERGY_FJ_LO",
    "offset": 160,
    "access": "ro",
    "reset": 0,
    "meaning": "modelled energy in femtojoules (1e-15 J) since the last clear, low word",
    "fields": [],
    "reserved": 0
  },
  {
    "name": "ENERGY_FJ_HI",
    "offset": 164,
    "access": "ro",
    "reset": 0,
    "meaning": "modelled energy in femtojoules, high word",
    "fields": [],
    "reserved": 0
  },
  {
    "name": "JOBS",
    "offset": 168,
    "access": "ro",
    "reset": 0,
    "meaning": "jobs completed without error since the last clear",
    "fields": [],
    "reserved": 0
  }
];
export const ACCEL_ERRORS: readonly { name: string; code: number; meaning: string }[] = [
  {
    "name": "NONE",
    "code": 0,
    "meaning": "no error"
  },
  {
    "name": "UNSUPPORTED_FORMAT",
    "code": 1,
    "meaning": "MUL_FMT, ACC_FMT, X_FMT or W_FMT names a format this accelerator does not support (CAPS_FORMATS), or is not a valid float format word"
  },
  {
    "name": "UNSUPPORTED_ROUNDING",
    "code": 2,
    "meaning": "a rounding code in ROUND is unknown or not supported (CAPS_MODES.ROUNDING), or SR_BITS is above 32"
  },
  {
    "name": "OUT_OF_BOUNDS",
    "code": 3,
    "meaning": "an element of X, W or Z lies outside the WASM linear memory (each element counted at its width: OP.PACK_X / OP.PACK_W / OP.PACK_Z)"
  },
  {
    "name": "ZERO_DIMENSION",
    "code": 4,
    "meaning": "M, N or K is 0"
  },
  {
    "name": "BUSY",
    "code": 5,
    "meaning": "a register was written or START issued while a job was running; the write was ignored"
  },
  {
    "name": "BAD_OP",
    "code": 6,
    "meaning": "OP or MAC has a reserved bit set, or asks for a mode this accelerator lacks (CAPS_MODES: FMA, FAST, PACKED)"
  },
  {
    "name": "BAD_STRIDE",
    "code": 7,
    "meaning": "LDX, LDW or LDZ is smaller than the row it steps over (strides count elements, whatever their width)"
  },
  {
    "name": "MISALIGNED",
    "code": 8,
    "meaning": "X_ADDR, W_ADDR or Z_ADDR is not a multiple of its operand's element width (4 for f32 containers; packed: 1, 2 or 4 by the storage width of X_FMT / W_FMT / ACC_FMT)"
  }
];
export const ACCEL_FORMATS: readonly { bit: number; id: string; e: number; m: number; specials: string; word: number }[] = [
  {
    "bit": 0,
    "id": "e4m3",
    "e": 4,
    "m": 3,
    "specials": "fn",
    "word": 197648
  },
  {
    "bit": 1,
    "id": "e5m2",
    "e": 5,
    "m": 2,
    "specials": "ieee",
    "word": 132352
  },
  {
    "bit": 2,
    "id": "fp16",
    "e": 5,
    "m": 10,
    "specials": "ieee",
    "word": 656640
  },
  {
    "bit": 3,
    "id": "bf16",
    "e": 8,
    "m": 7,
    "specials": "ieee",
    "word": 460800
  },
  {
    "bit": 4,
    "id": "fp32",
    "e": 8,
    "m": 23,
    "specials": "ieee",
    "word": 1509376
  }
];
