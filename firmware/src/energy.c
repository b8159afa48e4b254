/* The CPU path's energy: see energy.h. Every operation is the simulated board's, in its order, so the
 * two boards give the same bits (IEEE 754 binary64, rounded once per operation: the D extension here). */
#include "energy.h"

#include "board_config.h"
#include "edgecl_protocol.h"
#include "le.h"

#define PICO 1e-12

double energy_cpu_j(double macs, energy_gemm_mode_t mode) {
  const double per_mac = mode == ENERGY_GEMM_FAST      ? EDGECL_ENERGY_CPU_INSTRUCTIONS_PER_MAC_FAST
                         : mode == ENERGY_GEMM_EXACT_SR ? EDGECL_ENERGY_CPU_INSTRUCTIONS_PER_MAC_EXACT_SR
                                                        : EDGECL_ENERGY_CPU_INSTRUCTIONS_PER_MAC_EXACT;
  /* Math.max(0, macs): negatives and -0 give +0, a NaN stays NaN. */
  if (macs <= 0) macs = 0;
  /* cpuGemmPj(params, macs, mode) * PICO: (macs * instructions per MAC) * pJ per instruction, then to J. */
  return macs * per_mac * EDGECL_ENERGY_CPU_PJ_PER_INSTRUCTION * PICO;
}

double energy_cpu_j_of(const uint8_t *body) {
  /* The simulated board's order: exact, exact with SR, fast. */
  return energy_cpu_j(get_f64(body + EDGECL_TELEMETRY_REPLY_CPU_MACS_EXACT_OFFSET), ENERGY_GEMM_EXACT) +
         energy_cpu_j(get_f64(body + EDGECL_TELEMETRY_REPLY_CPU_MACS_EXACT_SR_OFFSET), ENERGY_GEMM_EXACT_SR) +
         energy_cpu_j(get_f64(body + EDGECL_TELEMETRY_REPLY_CPU_MACS_FAST_OFFSET), ENERGY_GEMM_FAST);
}
