/* Boot: picolibc's crt0 has set up the stack, .data, .bss and TLS; main picks the image's entry. */
#include "board.h"
#include "uart.h"

int main(void) {
  uart_init();
#if EDGECL_ENTRY_SELFTEST
  /* crt0 passes the status to exit(), which semihosting turns into QEMU's exit status. */
  return selftest_run();
#else
  board_serve();
#endif
}
