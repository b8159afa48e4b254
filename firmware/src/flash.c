/*
 * Checkpoint flash on QEMU virt's CFI flash (see flash.h). QEMU models an Intel/Sharp command-set
 * parallel flash (hw/block/pflash_cfi01.c; virt.c: two banks of 32 MiB at 0x20000000 and 0x22000000,
 * 4-byte bank width, 256 KiB sectors). The commands are the Intel "basic command set" (Intel
 * Application Note 646, "Common Flash Interface (CFI) and Command Sets"): block erase 0x20 then 0xD0 at
 * an address in the block, word program 0x40 then the word, read status 0x70, clear status 0x50, back
 * to reading the array 0xFF.
 *
 * The slots start at the second sector of bank 0. Only bank 0 can be backed by a file while QEMU 7.2
 * still loads -kernel (a drive on bank 1 means "S-mode firmware in flash" to virt.c), and with bank 0
 * backed QEMU's reset code jumps to its first word: the host writes a two-instruction boot stub there
 * (host/firmware/qemu.ts), so the first sector is the boot sector, as on a board booting from flash.
 */
#include "flash.h"

#include <stdio.h>

#include "board_config.h"
#include "frame.h"
#include "le.h"

#define FLASH_BANK_BASE 0x20000000u
#define FLASH_BANK_BYTES 0x02000000u
#define FLASH_SECTOR_BYTES 0x40000u
#define FLASH_BASE (FLASH_BANK_BASE + FLASH_SECTOR_BYTES) /* after the boot sector */
#define FLASH_WORD_BYTES 4u

#define CMD_BLOCK_ERASE 0x20u
#define CMD_ERASE_CONFIRM 0xD0u
#define CMD_WORD_PROGRAM 0x40u
#define CMD_CLEAR_STATUS 0x50u
#define CMD_READ_STATUS 0x70u
#define CMD_READ_ARRAY 0xFFu

#define STATUS_READY 0x80u
#define STATUS_ERASE_ERROR 0x20u
#define STATUS_PROGRAM_ERROR 0x10u
#define STATUS_LOCKED 0x02u

#define SLOT_BYTES (EDGECL_BOARD_FLASH_BYTES / FLASH_SLOTS)

/* Erasing one slot must not touch another, and the region must fit the bank. */
EDGECL_STATIC_ASSERT(EDGECL_BOARD_FLASH_BYTES % (FLASH_SLOTS * FLASH_SECTOR_BYTES) == 0,
                     "memory.flashBytes is a multiple of 4 slots of 256 KiB sectors");
EDGECL_STATIC_ASSERT(EDGECL_BOARD_FLASH_BYTES <= FLASH_BANK_BYTES - FLASH_SECTOR_BYTES,
                     "memory.flashBytes fits QEMU virt's 32 MiB flash bank after its boot sector");

#ifdef EDGECL_FLASH_EMULATED
/* The power-loss sweep (test/firmware/flash-power.test.ts) builds this file for the host against an
 * emulated chip that counts every erase and program and cuts power between or inside them. */
uint32_t flash_bus_read(uint32_t offset);
void flash_bus_write(uint32_t offset, uint32_t value);
const uint8_t *flash_bus_array(void);
#else
static volatile uint32_t *word_at(uint32_t offset) { return (volatile uint32_t *)(uintptr_t)(FLASH_BASE + offset); }
static uint32_t flash_bus_read(uint32_t offset) { return *word_at(offset); }
static void flash_bus_write(uint32_t offset, uint32_t value) { *word_at(offset) = value; }
static const uint8_t *flash_bus_array(void) { return (const uint8_t *)(uintptr_t)FLASH_BASE; }
#endif

uint32_t flash_size(void) { return EDGECL_BOARD_FLASH_BYTES; }

uint32_t flash_slot_capacity(void) { return SLOT_BYTES > FLASH_SLOT_HEADER_BYTES ? SLOT_BYTES - FLASH_SLOT_HEADER_BYTES : 0; }

/*
 * The flash answers reads with its status register from an erase or program command until it is told
 * to read the array again, so a run of commands waits on the status after each and returns to the
 * array once at the end (leave_commands). On QEMU each switch between the two costs a change of the
 * memory map, far more than the command itself.
 */
static int wait_ready(uint32_t offset) {
  uint32_t status;
  do status = flash_bus_read(offset) & 0xFFu;
  while ((status & STATUS_READY) == 0);
  if ((status & (STATUS_ERASE_ERROR | STATUS_PROGRAM_ERROR | STATUS_LOCKED)) == 0) return 1;
  flash_bus_write(offset, CMD_CLEAR_STATUS);
  return 0;
}

static void leave_commands(void) { flash_bus_write(0, CMD_READ_ARRAY); }

static int erase_sector(uint32_t offset) {
  flash_bus_write(offset, CMD_BLOCK_ERASE);
  flash_bus_write(offset, CMD_ERASE_CONFIRM);
  return wait_ready(offset);
}

static int program_word(uint32_t offset, uint32_t value) {
  if (value == 0xFFFFFFFFu) return 1; /* erased flash already reads so */
  flash_bus_write(offset, CMD_WORD_PROGRAM);
  flash_bus_write(offset, value);
  return wait_ready(offset);
}

static int slot_ok(uint8_t slot, char *detail, size_t detail_size) {
  if (slot < FLASH_SLOTS) return 1;
  snprintf(detail, detail_size, "expected a flash slot 0..%u, received %u", (unsigned)FLASH_SLOTS - 1, (unsigned)slot);
  return 0;
}

static flash_status_t write_slot(uint8_t slot, uint32_t length, flash_source_t source, void *context, uint32_t *crc,
                                 char *detail, size_t detail_size) {
  if (!slot_ok(slot, detail, detail_size)) return FLASH_BAD_SLOT;
  if (SLOT_BYTES == 0 || length > flash_slot_capacity()) {
    snprintf(detail, detail_size, "expected a checkpoint of at most %lu bytes (flash slot %u), received %lu",
             (unsigned long)flash_slot_capacity(), (unsigned)slot, (unsigned long)length);
    return FLASH_TOO_LARGE;
  }
  uint32_t base = slot * SLOT_BYTES;
  uint32_t used = FLASH_SLOT_HEADER_BYTES + length;
  /* The header's sector first: from here on the slot reads as empty until the new header is in. */
  for (uint32_t at = 0; at < used; at += FLASH_SECTOR_BYTES)
    if (!erase_sector(base + at)) {
      snprintf(detail, detail_size, "expected flash slot %u to erase, received an erase error at offset %lu",
               (unsigned)slot, (unsigned long)at);
      return FLASH_FAULT;
    }
  uint32_t sum = 0;
  uint8_t piece[256];
  for (uint32_t at = 0; at < length; at += sizeof piece) {
    uint32_t n = length - at < sizeof piece ? length - at : (uint32_t)sizeof piece;
    if (!source(context, at, piece, n)) {
      snprintf(detail, detail_size, "expected %lu bytes of checkpoint image, received a read failure at byte %lu",
               (unsigned long)length, (unsigned long)at);
      return FLASH_FAULT;
    }
    sum = edgecl_crc32(sum, piece, n);
    for (uint32_t i = 0; i < n; i += FLASH_WORD_BYTES) {
      uint8_t word[FLASH_WORD_BYTES] = {0xFF, 0xFF, 0xFF, 0xFF}; /* a short last word keeps erased bytes */
      for (uint32_t k = 0; k < FLASH_WORD_BYTES && i + k < n; k++) word[k] = piece[i + k];
      if (!program_word(base + FLASH_SLOT_HEADER_BYTES + at + i, le32(word))) {
        snprintf(detail, detail_size, "expected flash slot %u to take the image, received a program error at byte %lu",
                 (unsigned)slot, (unsigned long)(at + i));
        return FLASH_FAULT;
      }
    }
  }
  const uint32_t header[4] = {FLASH_SLOT_MAGIC, FLASH_SLOT_LAYOUT_VERSION, length, sum};
  /* The magic last: only a complete header makes the slot valid. */
  for (int i = 3; i >= 0; i--)
    if (!program_word(base + 4u * (uint32_t)i, header[i])) {
      snprintf(detail, detail_size, "expected flash slot %u to take the header, received a program error", (unsigned)slot);
      return FLASH_FAULT;
    }
  *crc = sum;
  return FLASH_OK;
}

flash_status_t flash_write(uint8_t slot, uint32_t length, flash_source_t source, void *context, uint32_t *crc,
                           char *detail, size_t detail_size) {
  flash_status_t status = write_slot(slot, length, source, context, crc, detail, detail_size);
  leave_commands();
  return status;
}

flash_status_t flash_read(uint8_t slot, const uint8_t **image, uint32_t *length, uint32_t *crc, char *detail,
                          size_t detail_size) {
  if (!slot_ok(slot, detail, detail_size)) return FLASH_BAD_SLOT;
  const uint8_t *base = flash_bus_array() + slot * SLOT_BYTES;
  if (SLOT_BYTES == 0) {
    snprintf(detail, detail_size, "expected a checkpoint in flash slot %u, received a board without flash", (unsigned)slot);
    return FLASH_EMPTY;
  }
  uint32_t magic = le32(base), version = le32(base + 4), declared = le32(base + 8), stored = le32(base + 12);
  if (magic != FLASH_SLOT_MAGIC || version != FLASH_SLOT_LAYOUT_VERSION) {
    snprintf(detail, detail_size, "expected a checkpoint in flash slot %u, received an empty slot", (unsigned)slot);
    return FLASH_EMPTY;
  }
  if (declared > flash_slot_capacity()) {
    snprintf(detail, detail_size, "expected a checkpoint of at most %lu bytes in flash slot %u, received a header declaring %lu",
             (unsigned long)flash_slot_capacity(), (unsigned)slot, (unsigned long)declared);
    return FLASH_EMPTY;
  }
  uint32_t sum = edgecl_crc32(0, base + FLASH_SLOT_HEADER_BYTES, declared);
  if (sum != stored) {
    snprintf(detail, detail_size, "expected CRC-32 0x%08lx of the %lu-byte checkpoint in flash slot %u, received 0x%08lx",
             (unsigned long)stored, (unsigned long)declared, (unsigned)slot, (unsigned long)sum);
    return FLASH_EMPTY;
  }
  *image = base + FLASH_SLOT_HEADER_BYTES;
  *length = declared;
  *crc = sum;
  return FLASH_OK;
}

flash_status_t flash_erase_all(char *detail, size_t detail_size) {
  flash_status_t status = FLASH_OK;
  for (uint32_t slot = 0; SLOT_BYTES > 0 && slot < FLASH_SLOTS && status == FLASH_OK; slot++)
    if (!erase_sector(slot * SLOT_BYTES)) {
      snprintf(detail, detail_size, "expected flash slot %u to erase, received an erase error", (unsigned)slot);
      status = FLASH_FAULT;
    }
  leave_commands();
  return status;
}
