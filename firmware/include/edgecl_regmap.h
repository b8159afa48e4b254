/* Generated from spec/regmap.json by scripts/gen-regmap.mjs. Do not edit: change the spec and run `npm run build`. */
#ifndef EDGECL_REGMAP_H
#define EDGECL_REGMAP_H

#include <stddef.h>
#include <stdint.h>

/* _Static_assert is C11; under C99 a negative array size stops the build instead. */
#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define EDGECL_REGMAP_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#else
#define EDGECL_REGMAP_ASSERT_JOIN2(a, b) a##b
#define EDGECL_REGMAP_ASSERT_JOIN(a, b) EDGECL_REGMAP_ASSERT_JOIN2(a, b)
#define EDGECL_REGMAP_STATIC_ASSERT(cond, msg) typedef char EDGECL_REGMAP_ASSERT_JOIN(edgecl_regmap_assert_, __LINE__)[(cond) ? 1 : -1]
#endif

#define EDGECL_ACCEL_BASE 0x40000000u /* base address of the register block */
#define EDGECL_ACCEL_SPAN 0x00001000u /* bytes of address space the block decodes */
#define EDGECL_ACCEL_ID_MAGIC 0x0000EDC1u /* ID.MAGIC on every edgecl accelerator */
#define EDGECL_ACCEL_ID_MAJOR 1u /* register-map major version */
#define EDGECL_ACCEL_ID_MINOR 1u /* register-map minor version */
#define EDGECL_ACCEL_ABSENT 0xFFFFFFFFu /* a read on a board without the accelerator */
#define EDGECL_ACCEL_ID_OFFSET 0x00000000u /* identification: magic number and register-map version */
#define EDGECL_ACCEL_ID_RESET 0xEDC10101u /* reset value of ID */
#define EDGECL_ACCEL_ID_MINOR_SHIFT 0u
#define EDGECL_ACCEL_ID_MINOR_MASK 0x000000FFu
#define EDGECL_ACCEL_ID_MAJOR_SHIFT 8u
#define EDGECL_ACCEL_ID_MAJOR_MASK 0x000000FFu
#define EDGECL_ACCEL_ID_MAGIC_SHIFT 16u
#define EDGECL_ACCEL_ID_MAGIC_MASK 0x0000FFFFu
#define EDGECL_ACCEL_CAPS_FORMATS_OFFSET 0x00000004u /* supported formats, one bit per entry of the format list */
#define EDGECL_ACCEL_CAPS_FORMATS_PRODUCT_SHIFT 0u
#define EDGECL_ACCEL_CAPS_FORMATS_PRODUCT_MASK 0x0000FFFFu
#define EDGECL_ACCEL_CAPS_FORMATS_ACCUMULATOR_SHIFT 16u
#define EDGECL_ACCEL_CAPS_FORMATS_ACCUMULATOR_MASK 0x0000FFFFu
#define EDGECL_ACCEL_CAPS_ARRAY_OFFSET 0x00000008u /* size of the MAC array */
#define EDGECL_ACCEL_CAPS_ARRAY_ROWS_SHIFT 0u
#define EDGECL_ACCEL_CAPS_ARRAY_ROWS_MASK 0x000000FFu
#define EDGECL_ACCEL_CAPS_ARRAY_COLS_SHIFT 8u
#define EDGECL_ACCEL_CAPS_ARRAY_COLS_MASK 0x000000FFu
#define EDGECL_ACCEL_CAPS_MODES_OFFSET 0x0000000Cu /* supported rounding modes and MAC modes */
#define EDGECL_ACCEL_CAPS_MODES_ROUNDING_SHIFT 0u
#define EDGECL_ACCEL_CAPS_MODES_ROUNDING_MASK 0x000000FFu
#define EDGECL_ACCEL_CAPS_MODES_FMA_SHIFT 8u
#define EDGECL_ACCEL_CAPS_MODES_FMA_MASK 0x00000001u
#define EDGECL_ACCEL_CAPS_MODES_FAST_SHIFT 9u
#define EDGECL_ACCEL_CAPS_MODES_FAST_MASK 0x00000001u
#define EDGECL_ACCEL_CAPS_MODES_PACKED_SHIFT 10u
#define EDGECL_ACCEL_CAPS_MODES_PACKED_MASK 0x00000001u
#define EDGECL_ACCEL_X_ADDR_OFFSET 0x00000010u /* byte offset of X in the WASM linear memory */
#define EDGECL_ACCEL_X_ADDR_RESET 0x00000000u /* reset value of X_ADDR */
#define EDGECL_ACCEL_W_ADDR_OFFSET 0x00000014u /* byte offset of W in the WASM linear memory */
#define EDGECL_ACCEL_W_ADDR_RESET 0x00000000u /* reset value of W_ADDR */
#define EDGECL_ACCEL_Z_ADDR_OFFSET 0x00000018u /* byte offset of Z in the WASM linear memory */
#define EDGECL_ACCEL_Z_ADDR_RESET 0x00000000u /* reset value of Z_ADDR */
#define EDGECL_ACCEL_M_OFFSET 0x0000001Cu /* rows of Z (and of X) */
#define EDGECL_ACCEL_M_RESET 0x00000000u /* reset value of M */
#define EDGECL_ACCEL_N_OFFSET 0x00000020u /* columns of Z (and of W) */
#define EDGECL_ACCEL_N_RESET 0x00000000u /* reset value of N */
#define EDGECL_ACCEL_K_OFFSET 0x00000024u /* length of every dot product */
#define EDGECL_ACCEL_K_RESET 0x00000000u /* reset value of K */
#define EDGECL_ACCEL_LDX_OFFSET 0x00000028u /* elements between consecutive rows of X as stored (M x K, or K x M when transposed) */
#define EDGECL_ACCEL_LDX_RESET 0x00000000u /* reset value of LDX */
#define EDGECL_ACCEL_LDW_OFFSET 0x0000002Cu /* elements between consecutive rows of W as stored (K x N, or N x K when transposed) */
#define EDGECL_ACCEL_LDW_RESET 0x00000000u /* reset value of LDW */
#define EDGECL_ACCEL_LDZ_OFFSET 0x00000030u /* elements between consecutive rows of Z (M x N) */
#define EDGECL_ACCEL_LDZ_RESET 0x00000000u /* reset value of LDZ */
#define EDGECL_ACCEL_OP_OFFSET 0x00000034u /* the operation: Z = X·W or Z += X·W, with operands optionally stored transposed */
#define EDGECL_ACCEL_OP_RESET 0x00000000u /* reset value of OP */
#define EDGECL_ACCEL_OP_ACCUMULATE_SHIFT 0u
#define EDGECL_ACCEL_OP_ACCUMULATE_MASK 0x00000001u
#define EDGECL_ACCEL_OP_TRANS_X_SHIFT 1u
#define EDGECL_ACCEL_OP_TRANS_X_MASK 0x00000001u
#define EDGECL_ACCEL_OP_TRANS_W_SHIFT 2u
#define EDGECL_ACCEL_OP_TRANS_W_MASK 0x00000001u
#define EDGECL_ACCEL_OP_PACK_X_SHIFT 3u
#define EDGECL_ACCEL_OP_PACK_X_MASK 0x00000001u
#define EDGECL_ACCEL_OP_PACK_W_SHIFT 4u
#define EDGECL_ACCEL_OP_PACK_W_MASK 0x00000001u
#define EDGECL_ACCEL_OP_PACK_Z_SHIFT 5u
#define EDGECL_ACCEL_OP_PACK_Z_MASK 0x00000001u
#define EDGECL_ACCEL_MUL_FMT_OFFSET 0x00000038u /* format word products are rounded to (reset: fp32) */
#define EDGECL_ACCEL_MUL_FMT_RESET 0x00170800u /* reset value of MUL_FMT */
#define EDGECL_ACCEL_ACC_FMT_OFFSET 0x0000003Cu /* format word the running sum is rounded to after every add (reset: fp32) */
#define EDGECL_ACCEL_ACC_FMT_RESET 0x00170800u /* reset value of ACC_FMT */
#define EDGECL_ACCEL_ROUND_OFFSET 0x00000040u /* rounding modes (codes of spec/formats.json) */
#define EDGECL_ACCEL_ROUND_RESET 0x00000000u /* reset value of ROUND */
#define EDGECL_ACCEL_ROUND_MUL_SHIFT 0u
#define EDGECL_ACCEL_ROUND_MUL_MASK 0x0000000Fu
#define EDGECL_ACCEL_ROUND_ACC_SHIFT 4u
#define EDGECL_ACCEL_ROUND_ACC_MASK 0x0000000Fu
#define EDGECL_ACCEL_MAC_OFFSET 0x00000044u /* how each multiply-accumulate is rounded */
#define EDGECL_ACCEL_MAC_RESET 0x00000000u /* reset value of MAC */
#define EDGECL_ACCEL_MAC_FMA_SHIFT 0u
#define EDGECL_ACCEL_MAC_FMA_MASK 0x00000001u
#define EDGECL_ACCEL_MAC_FAST_SHIFT 1u
#define EDGECL_ACCEL_MAC_FAST_MASK 0x00000001u
#define EDGECL_ACCEL_SR_BITS_OFFSET 0x00000048u /* random bits per stochastic rounding, 1..32; 0 means 32 */
#define EDGECL_ACCEL_SR_BITS_RESET 0x00000000u /* reset value of SR_BITS */
#define EDGECL_ACCEL_SR_KEY_OFFSET 0x0000004Cu /* key of the SR lane streams (docs/gemm.md) */
#define EDGECL_ACCEL_SR_KEY_RESET 0x00000000u /* reset value of SR_KEY */
#define EDGECL_ACCEL_X_FMT_OFFSET 0x00000050u /* format of X's values; with OP.PACK_X the format of the codes X holds (decoded as docs/formats.md gives), without it X holds f32 containers (4 bytes per element) and X_FMT is only checked to be a float format word */
#define EDGECL_ACCEL_X_FMT_RESET 0x00170800u /* reset value of X_FMT */
#define EDGECL_ACCEL_W_FMT_OFFSET 0x00000054u /* format of W's values, as X_FMT (with OP.PACK_W) */
#define EDGECL_ACCEL_W_FMT_RESET 0x00170800u /* reset value of W_FMT */
#define EDGECL_ACCEL_CTRL_OFFSET 0x00000060u /* control; reads return 0 */
#define EDGECL_ACCEL_CTRL_RESET 0x00000000u /* reset value of CTRL */
#define EDGECL_ACCEL_CTRL_START_SHIFT 0u
#define EDGECL_ACCEL_CTRL_START_MASK 0x00000001u
#define EDGECL_ACCEL_CTRL_CLEAR_SHIFT 1u
#define EDGECL_ACCEL_CTRL_CLEAR_MASK 0x00000001u
#define EDGECL_ACCEL_STATUS_OFFSET 0x00000064u /* job status */
#define EDGECL_ACCEL_STATUS_RESET 0x00000000u /* reset value of STATUS */
#define EDGECL_ACCEL_STATUS_BUSY_SHIFT 0u
#define EDGECL_ACCEL_STATUS_BUSY_MASK 0x00000001u
#define EDGECL_ACCEL_STATUS_DONE_SHIFT 1u
#define EDGECL_ACCEL_STATUS_DONE_MASK 0x00000001u
#define EDGECL_ACCEL_STATUS_ERROR_SHIFT 8u
#define EDGECL_ACCEL_STATUS_ERROR_MASK 0x000000FFu
#define EDGECL_ACCEL_ERROR_INFO_OFFSET 0x00000068u /* offset of the register the error is about (for example 0x038 when MUL_FMT is unsupported) */
#define EDGECL_ACCEL_ERROR_INFO_RESET 0x00000000u /* reset value of ERROR_INFO */
#define EDGECL_ACCEL_CYCLES_LO_OFFSET 0x00000080u /* modelled cycles since the last clear, low word */
#define EDGECL_ACCEL_CYCLES_LO_RESET 0x00000000u /* reset value of CYCLES_LO */
#define EDGECL_ACCEL_CYCLES_HI_OFFSET 0x00000084u /* modelled cycles, high word */
#define EDGECL_ACCEL_CYCLES_HI_RESET 0x00000000u /* reset value of CYCLES_HI */
#define EDGECL_ACCEL_MACS_LO_OFFSET 0x00000088u /* multiply-accumulates since the last clear, low word */
#define EDGECL_ACCEL_MACS_LO_RESET 0x00000000u /* reset value of MACS_LO */
#define EDGECL_ACCEL_MACS_HI_OFFSET 0x0000008Cu /* multiply-accumulates, high word */
#define EDGECL_ACCEL_MACS_HI_RESET 0x00000000u /* reset value of MACS_HI */
#define EDGECL_ACCEL_BYTES_READ_LO_OFFSET 0x00000090u /* bytes the modelled hardware read from memory, low word */
#define EDGECL_ACCEL_BYTES_READ_LO_RESET 0x00000000u /* reset value of BYTES_READ_LO */
#define EDGECL_ACCEL_BYTES_READ_HI_OFFSET 0x00000094u /* bytes read, high word */
#define EDGECL_ACCEL_BYTES_READ_HI_RESET 0x00000000u /* reset value of BYTES_READ_HI */
#define EDGECL_ACCEL_BYTES_WRITTEN_LO_OFFSET 0x00000098u /* bytes the modelled hardware wrote to memory, low word */
#define EDGECL_ACCEL_BYTES_WRITTEN_LO_RESET 0x00000000u /* reset value of BYTES_WRITTEN_LO */
#define EDGECL_ACCEL_BYTES_WRITTEN_HI_OFFSET 0x0000009Cu /* bytes written, high word */
#define EDGECL_ACCEL_BYTES_WRITTEN_HI_RESET 0x00000000u /* reset value of BYTES_WRITTEN_HI */
#define EDGECL_ACCEL_ENERGY_FJ_LO_OFFSET 0x000000A0u /* modelled energy in femtojoules (1e-15 J) since the last clear, low word */
#define EDGECL_ACCEL_ENERGY_FJ_LO_RESET 0x00000000u /* reset value of ENERGY_FJ_LO */
#define EDGECL_ACCEL_ENERGY_FJ_HI_OFFSET 0x000000A4u /* modelled energy in femtojoules, high word */
#define EDGECL_ACCEL_ENERGY_FJ_HI_RESET 0x00000000u /* reset value of ENERGY_FJ_HI */
#define EDGECL_ACCEL_JOBS_OFFSET 0x000000A8u /* jobs completed without error since the last clear */
#define EDGECL_ACCEL_JOBS_RESET 0x00000000u /* reset value of JOBS */
#define EDGECL_ACCEL_ERR_NONE 0u /* no error */
#define EDGECL_ACCEL_ERR_UNSUPPORTED_FORMAT 1u /* MUL_FMT, ACC_FMT, X_FMT or W_FMT names a format this accelerator does not support (CAPS_FORMATS), or is not a valid float format word */
#define EDGECL_ACCEL_ERR_UNSUPPORTED_ROUNDING 2u /* a rounding code in ROUND is unknown or not supported (CAPS_MODES.ROUNDING), or SR_BITS is above 32 */
#define EDGECL_ACCEL_ERR_OUT_OF_BOUNDS 3u /* an element of X, W or Z lies outside the WASM linear memory (each element counted at its width: OP.PACK_X / OP.PACK_W / OP.PACK_Z) */
#define EDGECL_ACCEL_ERR_ZERO_DIMENSION 4u /* M, N or K is 0 */
#define EDGECL_ACCEL_ERR_BUSY 5u /* a register was written or START issued while a job was running; the write was ignored */
#define EDGECL_ACCEL_ERR_BAD_OP 6u /* OP or MAC has a reserved bit set, or asks for a mode this accelerator lacks (CAPS_MODES: FMA, FAST, PACKED) */
#define EDGECL_ACCEL_ERR_BAD_STRIDE 7u /* LDX, LDW or LDZ is smaller than the row it steps over (strides count elements, whatever their width) */
#define EDGECL_ACCEL_ERR_MISALIGNED 8u /* X_ADDR, W_ADDR or Z_ADDR is not a multiple of its operand's element width (4 for f32 containers; packed: 1, 2 or 4 by the storage width of X_FMT / W_FMT / ACC_FMT) */
#define EDGECL_ACCEL_FMT_E4M3_BIT 0u /* bit of e4m3 in CAPS_FORMATS */
#define EDGECL_ACCEL_FMT_E4M3_WORD 0x00030410u /* format word of e4m3 */
#define EDGECL_ACCEL_FMT_E5M2_BIT 1u /* bit of e5m2 in CAPS_FORMATS */
#define EDGECL_ACCEL_FMT_E5M2_WORD 0x00020500u /* format word of e5m2 */
#define EDGECL_ACCEL_FMT_FP16_BIT 2u /* bit of fp16 in CAPS_FORMATS */
#define EDGECL_ACCEL_FMT_FP16_WORD 0x000A0500u /* format word of fp16 */
#define EDGECL_ACCEL_FMT_BF16_BIT 3u /* bit of bf16 in CAPS_FORMATS */
#define EDGECL_ACCEL_FMT_BF16_WORD 0x00070800u /* format word of bf16 */
#define EDGECL_ACCEL_FMT_FP32_BIT 4u /* bit of fp32 in CAPS_FORMATS */
#define EDGECL_ACCEL_FMT_FP32_WORD 0x00170800u /* format word of fp32 */

/* The register block as a struct, for firmware that maps it at EDGECL_ACCEL_BASE. */
typedef struct {
  const volatile uint32_t ID; /* 0x000 ro */
  const volatile uint32_t CAPS_FORMATS; /* 0x004 ro */
  const volatile uint32_t CAPS_ARRAY; /* 0x008 ro */
  const volatile uint32_t CAPS_MODES; /* 0x00C ro */
  volatile uint32_t X_ADDR; /* 0x010 rw */
  volatile uint32_t W_ADDR; /* 0x014 rw */
  volatile uint32_t Z_ADDR; /* 0x018 rw */
  volatile uint32_t M; /* 0x01C rw */
  volatile uint32_t N; /* 0x020 rw */
  volatile uint32_t K; /* 0x024 rw */
  volatile uint32_t LDX; /* 0x028 rw */
  volatile uint32_t LDW; /* 0x02C rw */
  volatile uint32_t LDZ; /* 0x030 rw */
  volatile uint32_t OP; /* 0x034 rw */
  volatile uint32_t MUL_FMT; /* 0x038 rw */
  volatile uint32_t ACC_FMT; /* 0x03C rw */
  volatile uint32_t ROUND; /* 0x040 rw */
  volatile uint32_t MAC; /* 0x044 rw */
  volatile uint32_t SR_BITS; /* 0x048 rw */
  volatile uint32_t SR_KEY; /* 0x04C rw */
  volatile uint32_t X_FMT; /* 0x050 rw */
  volatile uint32_t W_FMT; /* 0x054 rw */
  uint32_t reserved0[2];
  volatile uint32_t CTRL; /* 0x060 wo */
  const volatile uint32_t STATUS; /* 0x064 ro */
  const volatile uint32_t ERROR_INFO; /* 0x068 ro */
  uint32_t reserved1[5];
  const volatile uint32_t CYCLES_LO; /* 0x080 ro */
  const volatile uint32_t CYCLES_HI; /* 0x084 ro */
  const volatile uint32_t MACS_LO; /* 0x088 ro */
  const volatile uint32_t MACS_HI; /* 0x08C ro */
  const volatile uint32_t BYTES_READ_LO; /* 0x090 ro */
  const volatile uint32_t BYTES_READ_HI; /* 0x094 ro */
  const volatile uint32_t BYTES_WRITTEN_LO; /* 0x098 ro */
  const volatile uint32_t BYTES_WRITTEN_HI; /* 0x09C ro */
  const volatile uint32_t ENERGY_FJ_LO; /* 0x0A0 ro */
  const volatile uint32_t ENERGY_FJ_HI; /* 0x0A4 ro */
  const volatile uint32_t JOBS; /* 0x0A8 ro */
  uint32_t reserved2[981];
} edgecl_accel_regs_t;

EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, ID) == EDGECL_ACCEL_ID_OFFSET, "ID offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, CAPS_FORMATS) == EDGECL_ACCEL_CAPS_FORMATS_OFFSET, "CAPS_FORMATS offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, CAPS_ARRAY) == EDGECL_ACCEL_CAPS_ARRAY_OFFSET, "CAPS_ARRAY offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, CAPS_MODES) == EDGECL_ACCEL_CAPS_MODES_OFFSET, "CAPS_MODES offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, X_ADDR) == EDGECL_ACCEL_X_ADDR_OFFSET, "X_ADDR offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, W_ADDR) == EDGECL_ACCEL_W_ADDR_OFFSET, "W_ADDR offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, Z_ADDR) == EDGECL_ACCEL_Z_ADDR_OFFSET, "Z_ADDR offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, M) == EDGECL_ACCEL_M_OFFSET, "M offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, N) == EDGECL_ACCEL_N_OFFSET, "N offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, K) == EDGECL_ACCEL_K_OFFSET, "K offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, LDX) == EDGECL_ACCEL_LDX_OFFSET, "LDX offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, LDW) == EDGECL_ACCEL_LDW_OFFSET, "LDW offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, LDZ) == EDGECL_ACCEL_LDZ_OFFSET, "LDZ offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, OP) == EDGECL_ACCEL_OP_OFFSET, "OP offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, MUL_FMT) == EDGECL_ACCEL_MUL_FMT_OFFSET, "MUL_FMT offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, ACC_FMT) == EDGECL_ACCEL_ACC_FMT_OFFSET, "ACC_FMT offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, ROUND) == EDGECL_ACCEL_ROUND_OFFSET, "ROUND offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, MAC) == EDGECL_ACCEL_MAC_OFFSET, "MAC offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, SR_BITS) == EDGECL_ACCEL_SR_BITS_OFFSET, "SR_BITS offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, SR_KEY) == EDGECL_ACCEL_SR_KEY_OFFSET, "SR_KEY offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, X_FMT) == EDGECL_ACCEL_X_FMT_OFFSET, "X_FMT offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, W_FMT) == EDGECL_ACCEL_W_FMT_OFFSET, "W_FMT offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, CTRL) == EDGECL_ACCEL_CTRL_OFFSET, "CTRL offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, STATUS) == EDGECL_ACCEL_STATUS_OFFSET, "STATUS offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, ERROR_INFO) == EDGECL_ACCEL_ERROR_INFO_OFFSET, "ERROR_INFO offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, CYCLES_LO) == EDGECL_ACCEL_CYCLES_LO_OFFSET, "CYCLES_LO offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, CYCLES_HI) == EDGECL_ACCEL_CYCLES_HI_OFFSET, "CYCLES_HI offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, MACS_LO) == EDGECL_ACCEL_MACS_LO_OFFSET, "MACS_LO offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, MACS_HI) == EDGECL_ACCEL_MACS_HI_OFFSET, "MACS_HI offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, BYTES_READ_LO) == EDGECL_ACCEL_BYTES_READ_LO_OFFSET, "BYTES_READ_LO offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, BYTES_READ_HI) == EDGECL_ACCEL_BYTES_READ_HI_OFFSET, "BYTES_READ_HI offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, BYTES_WRITTEN_LO) == EDGECL_ACCEL_BYTES_WRITTEN_LO_OFFSET, "BYTES_WRITTEN_LO offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, BYTES_WRITTEN_HI) == EDGECL_ACCEL_BYTES_WRITTEN_HI_OFFSET, "BYTES_WRITTEN_HI offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, ENERGY_FJ_LO) == EDGECL_ACCEL_ENERGY_FJ_LO_OFFSET, "ENERGY_FJ_LO offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, ENERGY_FJ_HI) == EDGECL_ACCEL_ENERGY_FJ_HI_OFFSET, "ENERGY_FJ_HI offset");
EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, JOBS) == EDGECL_ACCEL_JOBS_OFFSET, "JOBS offset");
EDGECL_REGMAP_STATIC_ASSERT(sizeof(edgecl_accel_regs_t) == EDGECL_ACCEL_SPAN, "register block size");

#endif
