/*
 * The accelerator's work as the board counts it for TELEMETRY, as the simulated board's bus counts it
 * (board/sim/mmio.ts Bus): cycles, MACs, energy and jobs summed across the counter clears the device's
 * driver does between jobs (CTRL.CLEAR), and the running total of the jobs' memory-traffic energy the
 * TypeScript model keeps (board/accel/model.ts totals.energyPj.memory), which TELEMETRY's split needs.
 * The register window's owner (mmio.c) provides these; without an accelerator everything reads 0.
 */
#ifndef EDGECL_ACCEL_TOTALS_H
#define EDGECL_ACCEL_TOTALS_H

#include <stdint.h>

typedef struct {
  uint64_t cycles;
  uint64_t macs;
  uint64_t energy_fj; /* femtojoules, as the energy counter registers hold them */
  uint32_t jobs;
  double memory_pj;   /* the part of the energy spent moving operands, picojoules */
} board_accel_totals_t;

/* Work since the last board_accel_mark or board_accel_restart (Bus.totals). */
void board_accel_totals(board_accel_totals_t *totals);

/* The next totals count from here (Bus.resetTotals). */
void board_accel_mark(void);

/* A fresh accelerator for a fresh instance of the module, as the simulated board makes one per
 * deployment: registers and counters at their power-on values, totals from 0. */
void board_accel_restart(void);

/* Device time the accelerator's jobs add since the last call, in nanoseconds: each job's modelled
 * cycles at the accelerator's clock, minus the time the firmware spent waiting for it (which depends
 * on the host's speed, not on the board). 0 without an accelerator. */
double board_accel_take_time_ns(void);

#endif
