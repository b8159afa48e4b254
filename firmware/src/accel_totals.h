/*
 * Accelerator work as the board counts it for TELEMETRY: cycles, MACs, energy and jobs since boot,
 * summed across the counter clears the device's driver does between jobs (CTRL.CLEAR), as the
 * simulated board's bus does (board/sim/mmio.ts). The register window's owner (mmio.c) provides
 * board_accel_totals; requests.c falls back to all zeros, the answer of a board without accelerator.
 */
#ifndef EDGECL_ACCEL_TOTALS_H
#define EDGECL_ACCEL_TOTALS_H

#include <stdint.h>

typedef struct {
  uint64_t cycles;
  uint64_t macs;
  uint64_t energy_fj; /* femtojoules, as the energy counter registers hold them */
  uint32_t jobs;
} board_accel_totals_t;

void board_accel_totals(board_accel_totals_t *totals);

#endif
