/* virtio console, receive queue only: see virtio_console.h. */
#include "virtio_console.h"

#include <stddef.h>

/* QEMU hw/riscv/virt.c: eight virtio-mmio slots from 0x10001000, 4 KiB apart, slot i on PLIC source 1 + i. */
#define VIRTIO_MMIO_BASE 0x10001000u
#define VIRTIO_MMIO_STRIDE 0x1000u
#define VIRTIO_MMIO_SLOTS 8u
#define VIRTIO_MMIO_FIRST_IRQ 1u

/* virtio 1.1, 4.2.2 and 4.2.4 (legacy register layout, QEMU's default for virtio-mmio). */
#define REG_MAGIC 0x000u
#define REG_VERSION 0x004u
#define REG_DEVICE_ID 0x008u
#define REG_GUEST_FEATURES 0x020u
#define REG_GUEST_FEATURES_SEL 0x024u
#define REG_GUEST_PAGE_SIZE 0x028u
#define REG_QUEUE_SEL 0x030u
#define REG_QUEUE_NUM_MAX 0x034u
#define REG_QUEUE_NUM 0x038u
#define REG_QUEUE_ALIGN 0x03cu
#define REG_QUEUE_PFN 0x040u
#define REG_QUEUE_NOTIFY 0x050u
#define REG_INTERRUPT_STATUS 0x060u
#define REG_INTERRUPT_ACK 0x064u
#define REG_STATUS 0x070u

#define MAGIC 0x74726976u /* "virt" */
#define LEGACY_VERSION 1u
#define DEVICE_CONSOLE 3u
#define STATUS_ACKNOWLEDGE 1u
#define STATUS_DRIVER 2u
#define STATUS_DRIVER_OK 4u
#define DESC_F_WRITE 2u
#define RECEIVEQ 0u /* port 0's receive queue (no MULTIPORT feature) */

#define PAGE 4096u
#define QUEUE_SIZE 4u
#define BUFFER_BYTES 4096u /* as much as QEMU's socket chardev reads at once (CHR_READ_BUF_LEN) */

struct vring_desc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags;
  uint16_t next;
};

struct vring_used_elem {
  uint32_t id;
  uint32_t len;
};

/* A legacy split ring (virtio 1.1, 2.6.2): descriptors and available ring, the used ring on the next page. */
static struct {
  struct vring_desc desc[QUEUE_SIZE];
  struct {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[QUEUE_SIZE];
    uint16_t used_event;
  } avail;
  uint8_t pad[PAGE - QUEUE_SIZE * sizeof(struct vring_desc) - (3 + QUEUE_SIZE) * sizeof(uint16_t)];
  struct {
    uint16_t flags;
    uint16_t idx;
    struct vring_used_elem ring[QUEUE_SIZE];
    uint16_t avail_event;
  } used;
} ring __attribute__((aligned(PAGE)));

static uint8_t buffers[QUEUE_SIZE][BUFFER_BYTES];

static uint32_t base;       /* the console's slot, 0 when there is none */
static uint16_t used_seen;  /* used-ring entries taken */
static uint32_t current;    /* the buffer being read, valid while left > 0 */
static uint32_t at, left;

static inline volatile uint32_t *reg(uint32_t offset) { return (volatile uint32_t *)(uintptr_t)(base + offset); }
static inline void fence(void) { __asm__ volatile("fence" ::: "memory"); }

/* Hands a buffer (back) to the device and tells it the queue has room. */
static void post(uint32_t id) {
  ring.avail.ring[ring.avail.idx % QUEUE_SIZE] = (uint16_t)id;
  fence();
  ring.avail.idx++;
  fence();
  *reg(REG_QUEUE_NOTIFY) = RECEIVEQ;
}

uint32_t virtio_console_init(void) {
  for (uint32_t slot = 0; slot < VIRTIO_MMIO_SLOTS; slot++) {
    base = VIRTIO_MMIO_BASE + slot * VIRTIO_MMIO_STRIDE;
    if (*reg(REG_MAGIC) != MAGIC || *reg(REG_VERSION) != LEGACY_VERSION || *reg(REG_DEVICE_ID) != DEVICE_CONSOLE) continue;
    *reg(REG_STATUS) = 0; /* reset */
    *reg(REG_STATUS) = STATUS_ACKNOWLEDGE;
    *reg(REG_STATUS) = STATUS_ACKNOWLEDGE | STATUS_DRIVER;
    *reg(REG_GUEST_FEATURES_SEL) = 0;
    *reg(REG_GUEST_FEATURES) = 0; /* none: one port, no size or emergency-write support needed */
    *reg(REG_GUEST_PAGE_SIZE) = PAGE;
    *reg(REG_QUEUE_SEL) = RECEIVEQ;
    if (*reg(REG_QUEUE_PFN) != 0 || *reg(REG_QUEUE_NUM_MAX) < QUEUE_SIZE) {
      *reg(REG_STATUS) = 0;
      continue;
    }
    *reg(REG_QUEUE_NUM) = QUEUE_SIZE;
    *reg(REG_QUEUE_ALIGN) = PAGE;
    *reg(REG_QUEUE_PFN) = (uint32_t)(uintptr_t)&ring / PAGE;
    for (uint32_t i = 0; i < QUEUE_SIZE; i++) {
      ring.desc[i].addr = (uint32_t)(uintptr_t)buffers[i];
      ring.desc[i].len = BUFFER_BYTES;
      ring.desc[i].flags = DESC_F_WRITE;
      ring.desc[i].next = 0;
    }
    *reg(REG_STATUS) = STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_DRIVER_OK;
    for (uint32_t i = 0; i < QUEUE_SIZE; i++) post(i);
    return VIRTIO_MMIO_FIRST_IRQ + slot;
  }
  base = 0;
  return 0;
}

int virtio_console_try_getc(void) {
  if (left == 0) {
    if (base == 0) return -1;
    fence();
    if (ring.used.idx == used_seen) return -1;
    fence();
    const struct vring_used_elem *elem = &ring.used.ring[used_seen % QUEUE_SIZE];
    used_seen++;
    if (elem->id >= QUEUE_SIZE) return -1; /* not a buffer of ours: nothing to read or give back */
    current = elem->id;
    at = 0;
    left = elem->len <= BUFFER_BYTES ? elem->len : BUFFER_BYTES;
    if (left == 0) {
      post(current);
      return -1;
    }
  }
  uint8_t byte = buffers[current][at++];
  if (--left == 0) post(current);
  return byte;
}

void virtio_console_ack(void) {
  if (base != 0) *reg(REG_INTERRUPT_ACK) = *reg(REG_INTERRUPT_STATUS);
}
