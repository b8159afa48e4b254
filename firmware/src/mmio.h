/* The board side of the module's imports env.mmio_read32 / env.mmio_write32: the accelerator's
 * register window. Every runtime build (wasm2c, WAMR) forwards the imports here. */
#ifndef EDGECL_MMIO_H
#define EDGECL_MMIO_H

#include <stdint.h>

/* What a read returns where no device answers, as on a bus with pull-ups; the driver in the module
 * reads it as "no accelerator". */
#define MMIO_ABSENT 0xFFFFFFFFu

uint32_t board_mmio_read32(uint32_t addr);
void board_mmio_write32(uint32_t addr, uint32_t value);

#endif
