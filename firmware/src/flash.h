/*
 * Checkpoint flash: the board manifest's memory.flashBytes in QEMU virt's first CFI flash bank, after
 * its boot sector, split into FLASH_SLOTS equal slots. A slot holds the layout of the simulated board's
 * flash (board/sim/flash.ts): a 16-byte header (magic "ECKP", layout version, image length, CRC-32 of
 * the image) and the image. A write erases the slot (its header first), programs the image, and
 * programs the header last, so a write cut short leaves a slot that reads as empty, never a wrong
 * image. Started with `-drive if=pflash,unit=0,format=raw,file=...` QEMU keeps the flash in that file
 * across runs; without it the bank lives in QEMU's memory for one run.
 */
#ifndef EDGECL_FLASH_H
#define EDGECL_FLASH_H

#include <stddef.h>
#include <stdint.h>

#define FLASH_SLOTS 4u
#define FLASH_SLOT_HEADER_BYTES 16u
#define FLASH_SLOT_MAGIC 0x504B4345u /* "ECKP" read as a little-endian u32 */
#define FLASH_SLOT_LAYOUT_VERSION 1u
#define FLASH_DETAIL_MAX 160

typedef enum {
  FLASH_OK = 0,
  FLASH_BAD_SLOT,  /* slot >= FLASH_SLOTS */
  FLASH_TOO_LARGE, /* the image does not fit a slot */
  FLASH_EMPTY,     /* no valid image in the slot (never written, erased, cut short, or its CRC fails) */
  FLASH_FAULT,     /* the flash reported an erase or program error, or the source could not be read */
} flash_status_t;

/* Supplies `length` bytes of the image starting at `offset`; returns 0 when it cannot. */
typedef int (*flash_source_t)(void *context, uint32_t offset, uint8_t *dst, uint32_t length);

/* Bytes of the flash region, and the largest image one slot holds. */
uint32_t flash_size(void);
uint32_t flash_slot_capacity(void);

/* Writes an image of `length` bytes read from `source` to `slot`; *crc gets its CRC-32. */
flash_status_t flash_write(uint8_t slot, uint32_t length, flash_source_t source, void *context, uint32_t *crc,
                           char *detail, size_t detail_size);

/* Finds the image in `slot`: *image points at it in the flash (valid until the next write or erase). */
flash_status_t flash_read(uint8_t slot, const uint8_t **image, uint32_t *length, uint32_t *crc, char *detail,
                          size_t detail_size);

/* Erases every slot's header: every slot reads as empty. */
flash_status_t flash_erase_all(char *detail, size_t detail_size);

#endif
