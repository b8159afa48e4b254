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

/* Zicsr comes with F (-march=rv32imafdc), so the assembler takes the mnemonic as it is. */
#define CSR_READ(csr, out) __asm__ volatile("csrr %0, " #csr : "=r"(out))

uint64_t clock_instret(void) {
  uint32_t hi, lo, again;
  /* rv32: read high, low, high again until the high word holds still. */
  do {
    CSR_READ(minstreth, hi);
    CSR_READ(minstret, lo);
    CSR_READ(minstreth, again);
  } while (hi != again);
  return (uint64_t)hi << 32 | lo;
}
