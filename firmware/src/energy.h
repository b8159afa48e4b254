/*
 * The board's energy estimate of the CPU path, as the simulated board makes it (board/sim/energy.ts,
 * docs/energy.md): the GEMM MACs the device reports its CPU path ran in each kernel (TELEMETRY
 * cpuMacsExact, cpuMacsExactSr, cpuMacsFast), times the instructions the host core spends per MAC in
 * that kernel, times the energy of one instruction. The figures are the board manifest's energy group,
 * generated into board_config.h (board_config.mjs). The accelerator's part comes from its own counters
 * (accel_totals.h).
 */
#ifndef EDGECL_ENERGY_H
#define EDGECL_ENERGY_H

#include <stdint.h>

typedef enum {
  ENERGY_GEMM_EXACT,    /* per-MAC rounding, no stochastic rounding per MAC */
  ENERGY_GEMM_EXACT_SR, /* per-MAC rounding with stochastic rounding per MAC */
  ENERGY_GEMM_FAST,     /* f32 sums, one rounding of each result */
} energy_gemm_mode_t;

/* Joules of `macs` multiply-accumulates on the CPU path in `mode` (EnergyModel.cpuJ); negative counts as 0. */
double energy_cpu_j(double macs, energy_gemm_mode_t mode);

/* Joules of the CPU MACs of a device's TELEMETRY reply body, kernel by kernel (EnergyModel.cpuJOf). */
double energy_cpu_j_of(const uint8_t *telemetry_body);

#endif
