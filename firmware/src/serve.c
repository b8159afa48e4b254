/*
 * ENTRY=serve: the image's life after boot is one loop, UART bytes in, protocol replies out.
 *
 * Between bytes the hart sleeps (WFI) until the UART has data, instead of polling its status
 * register: on QEMU every MMIO access takes the emulator's global lock, and a hart that polls
 * without pause starves the thread that moves bytes between the socket and the UART, which then
 * trickle in. The UART's receive interrupt is routed through the PLIC to this hart's machine-mode
 * external interrupt, enabled in mie but not globally (mstatus.MIE stays 0): WFI wakes on a pending
 * enabled interrupt whether or not it would trap (RISC-V privileged spec 3.3.3), so no trap handler
 * is needed. Each wake claims and completes the interrupt so that the next one can be signalled.
 */
#include "board.h"
#include "serve.h"
#include "uart.h"
#include "virtio_console.h"

/* QEMU hw/riscv/virt.c: the PLIC at 0x0C000000 (SiFive PLIC layout), UART0 on interrupt source 10,
 * context 0 = hart 0 in machine mode. */
#define PLIC_BASE 0x0C000000u
#define PLIC_PRIORITY(source) (PLIC_BASE + 4u * (source))
#define PLIC_ENABLE_CONTEXT0 (PLIC_BASE + 0x2000u)
#define PLIC_THRESHOLD_CONTEXT0 (PLIC_BASE + 0x200000u)
#define PLIC_CLAIM_CONTEXT0 (PLIC_BASE + 0x200004u)
#define UART0_IRQ 10u
#define UART_IER_OFFSET 1u
#define UART_IER_RX_DATA 0x01u
#define UART_FCR_OFFSET 2u
#define UART_FCR_ENABLE_CLEAR_TRIGGER14 0xC7u /* FIFOs on and cleared, receive trigger at 14 bytes */
#define UART_LCR_OFFSET 3u
#define UART_LCR_DLAB 0x80u
#define UART_LCR_8N1 0x03u
#define UART_DLL_OFFSET 0u
#define UART_DLM_OFFSET 1u
#define MIE_MEIE (1u << 11)

static inline volatile uint32_t *reg32(uint32_t address) { return (volatile uint32_t *)(uintptr_t)address; }
static inline volatile uint8_t *uart_reg(uint32_t offset) { return (volatile uint8_t *)(uintptr_t)(BOARD_UART0_BASE + offset); }

/*
 * The UART at its fastest: divisor 1 and a 14-byte receive trigger. QEMU's 16550 (hw/char/serial.c)
 * accepts from the socket only as many bytes per turn of its event loop as the FIFO lacks below the
 * trigger level, and times the FIFO's idle interrupt in characters at the programmed baud rate, so
 * with the power-on divisor and a 1-byte trigger a frame arrives a byte per loop turn.
 */
static void uart_fast(void) {
  *uart_reg(UART_LCR_OFFSET) = UART_LCR_DLAB | UART_LCR_8N1;
  *uart_reg(UART_DLL_OFFSET) = 1;
  *uart_reg(UART_DLM_OFFSET) = 0;
  *uart_reg(UART_LCR_OFFSET) = UART_LCR_8N1;
  *uart_reg(UART_FCR_OFFSET) = UART_FCR_ENABLE_CLEAR_TRIGGER14;
}

static void enable_irq(uint32_t source) {
  *reg32(PLIC_PRIORITY(source)) = 1;
  *reg32(PLIC_ENABLE_CONTEXT0 + 4u * (source / 32u)) |= 1u << (source % 32u);
}

static void enable_rx_wakeup(uint32_t virtio_irq) {
  enable_irq(UART0_IRQ);
  if (virtio_irq != 0) enable_irq(virtio_irq);
  *reg32(PLIC_THRESHOLD_CONTEXT0) = 0;
  *uart_reg(UART_IER_OFFSET) = UART_IER_RX_DATA;
  __asm__ volatile("csrs mie, %0" ::"r"(MIE_MEIE));
}

/* The host's bytes come on the virtio console when the machine has one (the host then sends nothing
 * on the UART), else on the UART. */
static uint8_t next_byte(int virtio) {
  for (;;) {
    int byte = virtio ? virtio_console_try_getc() : uart_try_getc();
    if (byte >= 0) return (uint8_t)byte;
    __asm__ volatile("wfi");
    /* Claim and complete whatever woke the hart, so the PLIC can signal the next interrupt; the
     * virtio device holds its interrupt line up until it is acknowledged. */
    uint32_t source = *reg32(PLIC_CLAIM_CONTEXT0);
    if (virtio) virtio_console_ack();
    if (source != 0) *reg32(PLIC_CLAIM_CONTEXT0) = source;
  }
}

void board_send(const uint8_t *bytes, size_t len) { uart_write(bytes, len); }

void board_serve(void) {
  static const uint8_t delimiter = 0;
  uart_fast();
  protocol_init();
  uint32_t virtio_irq = virtio_console_init();
  enable_rx_wakeup(virtio_irq);
  /* A lone delimiter: ends whatever partial frame the host holds (docs/protocol.md) and tells it the
   * board now listens; bytes sent before this may have been dropped while the UART was being reset. */
  board_send(&delimiter, 1);
  for (;;) protocol_receive_byte(next_byte(virtio_irq != 0));
}
