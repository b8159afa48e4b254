// Generated from spec/regmap.json by scripts/gen-regmap.mjs. Do not edit: change the spec and run `npm run build`.

/** base address of the register block */
export const ACCEL_BASE: u32 = 0x40000000;
/** bytes of address space the block decodes */
export const ACCEL_SPAN: u32 = 0x00001000;
/** ID.MAGIC on every edgecl accelerator */
export const ACCEL_ID_MAGIC: u32 = 0x0000EDC1;
/** register-map major version */
export const ACCEL_ID_MAJOR: u32 = 1;
/** register-map minor version */
export const ACCEL_ID_MINOR: u32 = 1;
/** a read on a board without the accelerator */
export const ACCEL_ABSENT: u32 = 0xFFFFFFFF;
/** identification: magic number and register-map version */
export const ACCEL_ID_OFFSET: u32 = 0x00000000;
/** reset value of ID */
export const ACCEL_ID_RESET: u32 = 0xEDC10101;
export const ACCEL_ID_MINOR_SHIFT: u32 = 0;
export const ACCEL_ID_MINOR_MASK: u32 = 0x000000FF;
export const ACCEL_ID_MAJOR_SHIFT: u32 = 8;
export const ACCEL_ID_MAJOR_MASK: u32 = 0x000000FF;
export const ACCEL_ID_MAGIC_SHIFT: u32 = 16;
export const ACCEL_ID_MAGIC_MASK: u32 = 0x0000FFFF;
/** supported formats, one bit per entry of the format list */
export const ACCEL_CAPS_FORMATS_OFFSET: u32 = 0x00000004;
export const ACCEL_CAPS_FORMATS_PRODUCT_SHIFT: u32 = 0;
export const ACCEL_CAPS_FORMATS_PRODUCT_MASK: u32 = 0x0000FFFF;
export const ACCEL_CAPS_FORMATS_ACCUMULATOR_SHIFT: u32 = 16;
export const ACCEL_CAPS_FORMATS_ACCUMULATOR_MASK: u32 = 0x0000FFFF;
/** size of the MAC array */
export const ACCEL_CAPS_ARRAY_OFFSET: u32 = 0x00000008;
export const ACCEL_CAPS_ARRAY_ROWS_SHIFT: u32 = 0;
export const ACCEL_CAPS_ARRAY_ROWS_MASK: u32 = 0x000000FF;
export const ACCEL_CAPS_ARRAY_COLS_SHIFT: u32 = 8;
export const ACCEL_CAPS_ARRAY_COLS_MASK: u32 = 0x000000FF;
/** supported rounding modes and MAC modes */
export const ACCEL_CAPS_MODES_OFFSET: u32 = 0x0000000C;
export const ACCEL_CAPS_MODES_ROUNDING_SHIFT: u32 = 0;
export const ACCEL_CAPS_MODES_ROUNDING_MASK: u32 = 0x000000FF;
export const ACCEL_CAPS_MODES_FMA_SHIFT: u32 = 8;
export const ACCEL_CAPS_MODES_FMA_MASK: u32 = 0x00000001;
export const ACCEL_CAPS_MODES_FAST_SHIFT: u32 = 9;
export const ACCEL_CAPS_MODES_FAST_MASK: u32 = 0x00000001;
export const ACCEL_CAPS_MODES_PACKED_SHIFT: u32 = 10;
export const ACCEL_CAPS_MODES_PACKED_MASK: u32 = 0x00000001;
/** byte offset of X in the WASM linear memory */
export const ACCEL_X_ADDR_OFFSET: u32 = 0x00000010;
/** reset value of X_ADDR */
export const ACCEL_X_ADDR_RESET: u32 = 0x00000000;
/** byte offset of W in the WASM linear memory */
export const ACCEL_W_ADDR_OFFSET: u32 = 0x00000014;
/** reset value of W_ADDR */
export const ACCEL_W_ADDR_RESET: u32 = 0x00000000;
/** byte offset of Z in the WASM linear memory */
export const ACCEL_Z_ADDR_OFFSET: u32 = 0x00000018;
/** reset value of Z_ADDR */
export const ACCEL_Z_ADDR_RESET: u32 = 0x00000000;
/** rows of Z (and of X) */
export const ACCEL_M_OFFSET: u32 = 0x0000001C;
/** reset value of M */
export const ACCEL_M_RESET: u32 = 0x00000000;
/** columns of Z (and of W) */
export const ACCEL_N_OFFSET: u32 = 0x00000020;
/** reset value of N */
export const ACCEL_N_RESET: u32 = 0x00000000;
/** length of every dot product */
export const ACCEL_K_OFFSET: u32 = 0x00000024;
/** reset value of K */
export const ACCEL_K_RESET: u32 = 0x00000000;
/** elements between consecutive rows of X as stored (M x K, or K x M when transposed) */
export const ACCEL_LDX_OFFSET: u32 = 0x00000028;
/** reset value of LDX */
export const ACCEL_LDX_RESET: u32 = 0x00000000;
/** elements between consecutive rows of W as stored (K x N, or N x K when transposed) */
export const ACCEL_LDW_OFFSET: u32 = 0x0000002C;
/** reset value of LDW */
export const ACCEL_LDW_RESET: u32 = 0x00000000;
/** elements between consecutive rows of Z (M x N) */
export const ACCEL_LDZ_OFFSET: u32 = 0x00000030;
/** reset value of LDZ */
export const ACCEL_LDZ_RESET: u32 = 0x00000000;
/** the operation: Z = X·W or Z += X·W, with operands optionally stored transposed */
export const ACCEL_OP_OFFSET: u32 = 0x00000034;
/** reset value of OP */
export const ACCEL_OP_RESET: u32 = 0x00000000;
export const ACCEL_OP_ACCUMULATE_SHIFT: u32 = 0;
export const ACCEL_OP_ACCUMULATE_MASK: u32 = 0x00000001;
export const ACCEL_OP_TRANS_X_SHIFT: u32 = 1;
export const ACCEL_OP_TRANS_X_MASK: u32 = 0x00000001;
export const ACCEL_OP_TRANS_W_SHIFT: u32 = 2;
export const ACCEL_OP_TRANS_W_MASK: u32 = 0x00000001;
export const ACCEL_OP_PACK_X_SHIFT: u32 = 3;
export const ACCEL_OP_PACK_X_MASK: u32 = 0x00000001;
export const ACCEL_OP_PACK_W_SHIFT: u32 = 4;
export const ACCEL_OP_PACK_W_MASK: u32 = 0x00000001;
export const ACCEL_OP_PACK_Z_SHIFT: u32 = 5;
export const ACCEL_OP_PACK_Z_MASK: u32 = 0x00000001;
/** format word products are rounded to (reset: fp32) */
export const ACCEL_MUL_FMT_OFFSET: u32 = 0x00000038;
/** reset value of MUL_FMT */
export const ACCEL_MUL_FMT_RESET: u32 = 0x00170800;
/** format word the running sum is rounded to after every add (reset: fp32) */
export const ACCEL_ACC_FMT_OFFSET: u32 = 0x0000003C;
/** reset value of ACC_FMT */
export const ACCEL_ACC_FMT_RESET: u32 = 0x00170800;
/** rounding modes (codes of spec/formats.json) */
export const ACCEL_ROUND_OFFSET: u32 = 0x00000040;
/** reset value of ROUND */
export const ACCEL_ROUND_RESET: u32 = 0x00000000;
export const ACCEL_ROUND_MUL_SHIFT: u32 = 0;
export const ACCEL_ROUND_MUL_MASK: u32 = 0x0000000F;
export const ACCEL_ROUND_ACC_SHIFT: u32 = 4;
export const ACCEL_ROUND_ACC_MASK: u32 = 0x0000000F;
/** how each multiply-accumulate is rounded */
export const ACCEL_MAC_OFFSET: u32 = 0x00000044;
/** reset value of MAC */
export const ACCEL_MAC_RESET: u32 = 0x00000000;
export const ACCEL_MAC_FMA_SHIFT: u32 = 0;
export const ACCEL_MAC_FMA_MASK: u32 = 0x00000001;
export const ACCEL_MAC_FAST_SHIFT: u32 = 1;
export const ACCEL_MAC_FAST_MASK: u32 = 0x00000001;
/** random bits per stochastic rounding, 1..32; 0 means 32 */
export const ACCEL_SR_BITS_OFFSET: u32 = 0x00000048;
/** reset value of SR_BITS */
export const ACCEL_SR_BITS_RESET: u32 = 0x00000000;
/** key of the SR lane streams (docs/gemm.md) */
export const ACCEL_SR_KEY_OFFSET: u32 = 0x0000004C;
/** reset value of SR_KEY */
export const ACCEL_SR_KEY_RESET: u32 = 0x00000000;
/** format of X's values; with OP.PACK_X the format of the codes X holds (decoded as docs/formats.md gives), without it X holds f32 containers (4 bytes per element) and X_FMT is only checked to be a float format word */
export const ACCEL_X_FMT_OFFSET: u32 = 0x00000050;
/** reset value of X_FMT */
export const ACCEL_X_FMT_RESET: u32 = 0x00170800;
/** format of W's values, as X_FMT (with OP.PACK_W) */
export const ACCEL_W_FMT_OFFSET: u32 = 0x00000054;
/** reset value of W_FMT */
export const ACCEL_W_FMT_RESET: u32 = 0x00170800;
/** control; reads return 0 */
export const ACCEL_CTRL_OFFSET: u32 = 0x00000060;
/** reset value of CTRL */
export const ACCEL_CTRL_RESET: u32 = 0x00000000;
export const ACCEL_CTRL_START_SHIFT: u32 = 0;
export const ACCEL_CTRL_START_MASK: u32 = 0x00000001;
export const ACCEL_CTRL_CLEAR_SHIFT: u32 = 1;
export const ACCEL_CTRL_CLEAR_MASK: u32 = 0x00000001;
/** job status */
export const ACCEL_STATUS_OFFSET: u32 = 0x00000064;
/** reset value of STATUS */
export const ACCEL_STATUS_RESET: u32 = 0x00000000;
export const ACCEL_STATUS_BUSY_SHIFT: u32 = 0;
export const ACCEL_STATUS_BUSY_MASK: u32 = 0x00000001;
export const ACCEL_STATUS_DONE_SHIFT: u32 = 1;
export const ACCEL_STATUS_DONE_MASK: u32 = 0x00000001;
export const ACCEL_STATUS_ERROR_SHIFT: u32 = 8;
export const ACCEL_STATUS_ERROR_MASK: u32 = 0x000000FF;
/** offset of the register the error is about (for example 0x038 when MUL_FMT is unsupported) */
export const ACCEL_ERROR_INFO_OFFSET: u32 = 0x00000068;
/** reset value of ERROR_INFO */
export const ACCEL_ERROR_INFO_RESET: u32 = 0x00000000;
/** modelled cycles since the last clear, low word */
export const ACCEL_CYCLES_LO_OFFSET: u32 = 0x00000080;
/** reset value of CYCLES_LO */
export const ACCEL_CYCLES_LO_RESET: u32 = 0x00000000;
/** modelled cycles, high word */
export const ACCEL_CYCLES_HI_OFFSET: u32 = 0x00000084;
/** reset value of CYCLES_HI */
export const ACCEL_CYCLES_HI_RESET: u32 = 0x00000000;
/** multiply-accumulates since the last clear, low word */
export const ACCEL_MACS_LO_OFFSET: u32 = 0x00000088;
/** reset value of MACS_LO */
export const ACCEL_MACS_LO_RESET: u32 = 0x00000000;
/** multiply-accumulates, high word */
export const ACCEL_MACS_HI_OFFSET: u32 = 0x0000008C;
/** reset value of MACS_HI */
export const ACCEL_MACS_HI_RESET: u32 = 0x00000000;
/** bytes the modelled hardware read from memory, low word */
export const ACCEL_BYTES_READ_LO_OFFSET: u32 = 0x00000090;
/** reset value of BYTES_READ_LO */
export const ACCEL_BYTES_READ_LO_RESET: u32 = 0x00000000;
/** bytes read, high word */
export const ACCEL_BYTES_READ_HI_OFFSET: u32 = 0x00000094;
/** reset value of BYTES_READ_HI */
export const ACCEL_BYTES_READ_HI_RESET: u32 = 0x00000000;
/** bytes the modelled hardware wrote to memory, low word */
export const ACCEL_BYTES_WRITTEN_LO_OFFSET: u32 = 0x00000098;
/** reset value of BYTES_WRITTEN_LO */
export const ACCEL_BYTES_WRITTEN_LO_RESET: u32 = 0x00000000;
/** bytes written, high word */
export const ACCEL_BYTES_WRITTEN_HI_OFFSET: u32 = 0x0000009C;
/** reset value of BYTES_WRITTEN_HI */
export const ACCEL_BYTES_WRITTEN_HI_RESET: u32 = 0x00000000;
/** modelled energy in femtojoules (1e-15 J) since the last clear, low word */
export const ACCEL_ENERGY_FJ_LO_OFFSET: u32 = 0x000000A0;
/** reset value of ENERGY_FJ_LO */
export const ACCEL_ENERGY_FJ_LO_RESET: u32 = 0x00000000;
/** modelled energy in femtojoules, high word */
export const ACCEL_ENERGY_FJ_HI_OFFSET: u32 = 0x000000A4;
/** reset value of ENERGY_FJ_HI */
export const ACCEL_ENERGY_FJ_HI_RESET: u32 = 0x00000000;
/** jobs completed without error since the last clear */
export const ACCEL_JOBS_OFFSET: u32 = 0x000000A8;
/** reset value of JOBS */
export const ACCEL_JOBS_RESET: u32 = 0x00000000;
/** no error */
export const ACCEL_ERR_NONE: u32 = 0;
/** MUL_FMT, ACC_FMT, X_FMT or W_FMT names a format this accelerator does not support (CAPS_FORMATS), or is not a valid float format word */
export const ACCEL_ERR_UNSUPPORTED_FORMAT: u32 = 1;
/** a rounding code in ROUND is unknown or not supported (CAPS_MODES.ROUNDING), or SR_BITS is above 32 */
export const ACCEL_ERR_UNSUPPORTED_ROUNDING: u32 = 2;
/** an element of X, W or Z lies outside the WASM linear memory (each element counted at its width: OP.PACK_X / OP.PACK_W / OP.PACK_Z) */
export const ACCEL_ERR_OUT_OF_BOUNDS: u32 = 3;
/** M, N or K is 0 */
export const ACCEL_ERR_ZERO_DIMENSION: u32 = 4;
/** a register was written or START issued while a job was running; the write was ignored */
export const ACCEL_ERR_BUSY: u32 = 5;
/** OP or MAC has a reserved bit set, or asks for a mode this accelerator lacks (CAPS_MODES: FMA, FAST, PACKED) */
export const ACCEL_ERR_BAD_OP: u32 = 6;
/** LDX, LDW or LDZ is smaller than the row it steps over (strides count elements, whatever their width) */
export const ACCEL_ERR_BAD_STRIDE: u32 = 7;
/** X_ADDR, W_ADDR or Z_ADDR is not a multiple of its operand's element width (4 for f32 containers; packed: 1, 2 or 4 by the storage width of X_FMT / W_FMT / ACC_FMT) */
export const ACCEL_ERR_MISALIGNED: u32 = 8;
/** bit of e4m3 in CAPS_FORMATS */
export const ACCEL_FMT_E4M3_BIT: u32 = 0;
/** format word of e4m3 */
export const ACCEL_FMT_E4M3_WORD: u32 = 0x00030410;
/** bit of e5m2 in CAPS_FORMATS */
export const ACCEL_FMT_E5M2_BIT: u32 = 1;
/** format word of e5m2 */
export const ACCEL_FMT_E5M2_WORD: u32 = 0x00020500;
/** bit of fp16 in CAPS_FORMATS */
export const ACCEL_FMT_FP16_BIT: u32 = 2;
/** format word of fp16 */
export const ACCEL_FMT_FP16_WORD: u32 = 0x000A0500;
/** bit of bf16 in CAPS_FORMATS */
export const ACCEL_FMT_BF16_BIT: u32 = 3;
/** format word of bf16 */
export const ACCEL_FMT_BF16_WORD: u32 = 0x00070800;
/** bit of fp32 in CAPS_FORMATS */
export const ACCEL_FMT_FP32_BIT: u32 = 4;
/** format word of fp32 */
export const ACCEL_FMT_FP32_WORD: u32 = 0x00170800;
/** Format words by CAPS_FORMATS bit (0xFFFFFFFF: no format has the bit). */
export const ACCEL_FORMAT_WORDS: StaticArray<u32> = [0x00030410, 0x00020500, 0x000A0500, 0x00070800, 0x00170800];
