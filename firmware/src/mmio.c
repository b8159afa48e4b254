/* Register window with no accelerator behind it (the qemu-rv32-noaccel board): reads float high,
 * writes go nowhere. */
#include "mmio.h"

uint32_t board_mmio_read32(uint32_t addr) {
  (void)addr;
  return MMIO_ABSENT;
}

void board_mmio_write32(uint32_t addr, uint32_t value) {
  (void)addr;
  (void)value;
}
