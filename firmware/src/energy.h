/*
 * The board's energy estimate of the CPU path, as the simulated board makes it (board/sim/energy.ts,
 * docs/energy.md): GEMM MACs the accelerator did not run, times the instructions the host core spends
 * per MAC in the deployment's GEMM mode, times the energy of one instruction. The figures are the board
 * manifest's energy group, generated into board_config.h (board_config.mjs). The accelerator's part
 * comes from its own counters (accel_totals.h).
 */
#ifndef EDGECL_ENERGY_H
#define EDGECL_ENERGY_H

#include <stdint.h>

typedef enum {
  ENERGY_GEMM_EXACT,    /* per-MAC rounding, no stochastic rounding per MAC */
  ENERGY_GEMM_EXACT_SR, /* per-MAC rounding with stochastic rounding per MAC */
  ENERGY_GEMM_FAST,     /* f32 arithmetic: GEMM_FAST, or plain fp32 products and sums not fused */
} energy_gemm_mode_t;

/* The CPU GEMM mode of a DEPLOY configuration (the model blob, then the strategy blob), as
 * gemmModeOf reads it; a configuration that is not a model blob of this ABI version is "exact". */
energy_gemm_mode_t energy_gemm_mode_of(const uint8_t *config, uint32_t length);

/* Joules of `macs` multiply-accumulates on the CPU path in `mode` (EnergyModel.cpuJ); negative counts as 0. */
double energy_cpu_j(double macs, energy_gemm_mode_t mode);

#endif
