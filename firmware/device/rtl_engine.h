/*
 * The accelerator model's "rtl" engine on the host: each job runs on the verilated RTL of the board's
 * configuration (hw/verilate.ts builds it with the bus harness hw/tb/edgecl_tb.cpp), as
 * hw/rtl-engine.ts runs it on the simulated board. A job whose Z overlaps X or W runs on gemm_engine.
 */
#ifndef EDGECL_RTL_ENGINE_H
#define EDGECL_RTL_ENGINE_H

#include <stdint.h>

#include "accel_model.h"

/* Starts the harness `binary` (once per process); on failure prints why and exits with status 3. */
accel_engine_t rtl_engine(const char *binary);

/* Jobs the RTL ran, jobs that fell back to gemm_engine, and the RTL's cycles (START to done). */
typedef struct {
  uint64_t jobs, fallbacks, cycles;
} rtl_engine_stats_t;

rtl_engine_stats_t rtl_engine_stats(void);

#endif
