/* mtime: see clock.h. */
#include "clock.h"

#define CLINT_MTIME 0x0200BFF8u

uint64_t clock_ticks(void) {
  volatile uint32_t *mtime = (volatile uint32_t *)(uintptr_t)CLINT_MTIME;
  uint32_t hi, lo;
  /* Two 32-bit reads on rv32: read the high word again until the low word did not wrap in between. */
  do {
    hi = mtime[1];
    lo = mtime[0];
  } while (mtime[1] != hi);
  return ((uint64_t)hi << 32) | lo;
}
