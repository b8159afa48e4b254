/* picolibc's stdin/stdout/stderr on UART0, so printf and the crt0 trap report reach the host.
 * Defining them here keeps libsemihost's own console objects out of the link: semihosting is used
 * only to leave QEMU with an exit status. */
#include <stdio.h>

#include "uart.h"

static int console_put(char c, FILE *file) {
  (void)file;
  uart_putc((uint8_t)c);
  return (unsigned char)c;
}

static int console_get(FILE *file) {
  (void)file;
  return uart_getc();
}

static FILE console = FDEV_SETUP_STREAM(console_put, console_get, NULL, _FDEV_SETUP_RW);

FILE *const stdin = &console;
FILE *const stdout = &console;
FILE *const stderr = &console;
