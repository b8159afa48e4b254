/*
 * The accelerator model's engine on the host: the device module's own `gemm` (build/device.wasm,
 * translated by wasm2c and compiled for the host) in a private instance with its own linear memory,
 * as board/accel/engine.ts's WasmGemmEngine runs it on the simulated board. The arithmetic is the
 * device's; this file only moves operands in and Z out.
 */
#ifndef EDGECL_GEMM_ENGINE_H
#define EDGECL_GEMM_ENGINE_H

#include "accel_model.h"

/* Makes the instance (once per process); on failure prints why and exits with status 3. */
accel_engine_t gemm_engine(void);

#endif
