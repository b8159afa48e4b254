/* The CPU path's energy: see energy.h. Every operation is the simulated board's, in its order, so the
 * two boards give the same bits (IEEE 754 binary64, rounded once per operation: soft-float here). */
#include "energy.h"

#include "board_config.h"
#include "edgecl_formats.h"
#include "edgecl_regmap.h"
#include "le.h"

#define PICO 1e-12

energy_gemm_mode_t energy_gemm_mode_of(const uint8_t *config, uint32_t length) {
  if (length < EDGECL_NN_CFG_LAYERS * 4u || length % 4u != 0) return ENERGY_GEMM_EXACT;
#define WORD(i) le32(config + 4u * (i))
  if (WORD(EDGECL_NN_CFG_VERSION) != EDGECL_NN_ABI_VERSION) return ENERGY_GEMM_EXACT;
  const uint32_t gemm = WORD(EDGECL_NN_CFG_GEMM);
  const int fused = (gemm & EDGECL_NN_GEMM_FMA) != 0;
  /* fp32 itself, exactly (no saturate or no-subnormals option): rounding an f32 to it changes nothing. */
#define PLAIN_FP32(role) (WORD(EDGECL_NN_CFG_ROLES + (role) * EDGECL_NN_ROLE_WORDS) == EDGECL_ACCEL_FMT_FP32_WORD)
  if ((gemm & EDGECL_NN_GEMM_FAST) != 0 || (!fused && PLAIN_FP32(EDGECL_NN_ROLE_MUL) && PLAIN_FP32(EDGECL_NN_ROLE_ACC)))
    return ENERGY_GEMM_FAST;
#define ROUNDING(role) WORD(EDGECL_NN_CFG_ROLES + (role) * EDGECL_NN_ROLE_WORDS + 1u)
  const int sr = ROUNDING(EDGECL_NN_ROLE_ACC) == EDGECL_ROUND_SR || (!fused && ROUNDING(EDGECL_NN_ROLE_MUL) == EDGECL_ROUND_SR);
#undef ROUNDING
#undef PLAIN_FP32
#undef WORD
  return sr ? ENERGY_GEMM_EXACT_SR : ENERGY_GEMM_EXACT;
}

double energy_cpu_j(double macs, energy_gemm_mode_t mode) {
  const double per_mac = mode == ENERGY_GEMM_FAST      ? EDGECL_ENERGY_CPU_INSTRUCTIONS_PER_MAC_FAST
                         : mode == ENERGY_GEMM_EXACT_SR ? EDGECL_ENERGY_CPU_INSTRUCTIONS_PER_MAC_EXACT_SR
                                                        : EDGECL_ENERGY_CPU_INSTRUCTIONS_PER_MAC_EXACT;
  /* Math.max(0, macs): negatives and -0 give +0, a NaN stays NaN. */
  if (macs <= 0) macs = 0;
  /* cpuGemmPj(params, macs, mode) * PICO: (macs * instructions per MAC) * pJ per instruction, then to J. */
  return macs * per_mac * EDGECL_ENERGY_CPU_PJ_PER_INSTRUCTION * PICO;
}
