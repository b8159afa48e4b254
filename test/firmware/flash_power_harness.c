/*
 * Power-loss sweep of the firmware's checkpoint flash (firmware/src/flash.c, built for the host with
 * -DEDGECL_FLASH_EMULATED). An emulated Intel command-set NOR chip stands behind the flash bus: erase
 * sets a 256 KiB sector to 0xFF, program can only clear bits (a program that would set one is reported
 * as a bug of the writer). Every erase and every program is one operation, numbered from 0. Before
 * each operation K the harness "cuts power": it checks what a reboot would read after K whole
 * operations, and after K whole operations and a part of operation K (some of its bits, as a NOR chip
 * losing power mid-operation leaves them), then carries on. After a cut every slot must read as the
 * last image fully written to it, bit for bit, or as no checkpoint (the slot being rewritten), or as
 * the image being written when it happens to be complete already: never another image.
 *
 *   flash-power SCRIPT [--only K]
 *
 * SCRIPT has one step a line: "checkpoint SLOT FILE" (write FILE's bytes to SLOT), "restore SLOT" (read
 * SLOT, which must hold its last image), "erase" (erase every slot). Output: one line per failure,
 * naming the cut that replays it (--only K runs the script and checks only cut K, printing each slot),
 * then "ops N erases E programs P cuts C lost L flips F failures X": L counts cuts where a slot that held
 * an image read as empty, F the images whose flipped bit was refused naming the CRC.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board_config.h"
#include "flash.h"
#include "frame.h"

#define SECTOR_BYTES 0x40000u
#define SLOT_BYTES (EDGECL_BOARD_FLASH_BYTES / FLASH_SLOTS)
#define PARTIAL_VARIANTS 2

enum mode { READ_ARRAY, STATUS, AWAIT_CONFIRM, AWAIT_WORD };

static uint8_t chip[EDGECL_BOARD_FLASH_BYTES];
static enum mode mode = READ_ARRAY;
static uint32_t pending_offset;

typedef struct {
  uint8_t *bytes; /* NULL: no checkpoint */
  uint32_t length;
} image_t;

/* What each slot must read as: its last complete state, and the state of the step in progress. */
static image_t committed[FLASH_SLOTS];
static image_t in_progress[FLASH_SLOTS];
static int busy[FLASH_SLOTS];

static long op_count, erases, programs, cuts, lost, flips, failures;
static long only = -1;
static int variant_now; /* which partial operation before_operation is trying */
static uint64_t rng_state;

static uint32_t next_random(void) {
  /* xorshift64*: seeded by the cut and variant, so that --only K replays the same partial operation. */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

static void seed(long cut, int variant) { rng_state = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)cut << 8) ^ (uint64_t)variant ^ 1u; }

static const char *describe(const uint8_t *bytes, uint32_t length, char *out, size_t size) {
  if (!bytes) snprintf(out, size, "no checkpoint");
  else snprintf(out, size, "a %lu-byte image with CRC-32 0x%08lx", (unsigned long)length, (unsigned long)edgecl_crc32(0, bytes, length));
  return out;
}

static int same(const image_t *expected, const uint8_t *bytes, uint32_t length) {
  return expected->bytes && expected->length == length && memcmp(expected->bytes, bytes, length) == 0;
}

/* A reboot after the cut: every slot read afresh, judged against what it may hold. */
static void check_cut(long cut, const char *what) {
  cuts++;
  for (uint8_t slot = 0; slot < FLASH_SLOTS; slot++) {
    const uint8_t *bytes = NULL;
    uint32_t length = 0, crc = 0;
    char detail[FLASH_DETAIL_MAX];
    flash_status_t status = flash_read(slot, &bytes, &length, &crc, detail, sizeof detail);
    if (status != FLASH_OK) bytes = NULL;
    int ok;
    if (!bytes) {
      ok = status == FLASH_EMPTY && (busy[slot] || !committed[slot].bytes);
      if (ok && committed[slot].bytes) lost++;
    } else {
      ok = same(&committed[slot], bytes, length) || (busy[slot] && same(&in_progress[slot], bytes, length));
    }
    char got[96], want[96], next[96];
    if (only == cut)
      printf("cut %ld (%s): slot %u reads as %s%s%s\n", cut, what, (unsigned)slot, describe(bytes, length, got, sizeof got),
             bytes ? "" : ": ", bytes ? "" : detail);
    if (ok) continue;
    failures++;
    char allowed[256];
    describe(committed[slot].bytes, committed[slot].length, want, sizeof want);
    describe(in_progress[slot].bytes, in_progress[slot].length, next, sizeof next);
    if (busy[slot]) snprintf(allowed, sizeof allowed, "%s (or no checkpoint, or %s)", want, next);
    else snprintf(allowed, sizeof allowed, "%s", want);
    printf("cut %ld (%s): slot %u: expected %s, received %s; replay: --only %ld\n", cut, what, (unsigned)slot, allowed,
           describe(bytes, length, got, sizeof got), cut);
  }
}

/* Cut power before operation `cut` (whole operations only), and inside it (part of its bits). */
static void before_operation(uint32_t offset, uint32_t bytes, void (*partial)(uint32_t, uint32_t)) {
  long cut = op_count++;
  if (only >= 0 && only != cut) return;
  check_cut(cut, "after the operations before it");
  static uint8_t saved[SECTOR_BYTES];
  for (int variant = 0; variant < PARTIAL_VARIANTS; variant++) {
    memcpy(saved, chip + offset, bytes);
    seed(cut, variant);
    variant_now = variant;
    partial(offset, bytes);
    char what[64];
    snprintf(what, sizeof what, "inside it, part %d", variant);
    check_cut(cut, what);
    memcpy(chip + offset, saved, bytes);
  }
}

/*
 * A partial erase sets some of the sector's bits: anywhere (part 0), or all but the first 16 bytes, where
 * a slot keeps its header (part 1: an old header over a half-erased image). A partial program clears
 * some of the bits it would.
 */
static void partial_erase(uint32_t offset, uint32_t bytes) {
  for (uint32_t i = variant_now ? FLASH_SLOT_HEADER_BYTES : 0; i < bytes; i++) chip[offset + i] |= (uint8_t)next_random();
}

static uint32_t program_value;
static void partial_program(uint32_t offset, uint32_t bytes) {
  for (uint32_t i = 0; i < bytes; i++) {
    uint8_t target = (uint8_t)(program_value >> (8 * i));
    uint8_t clearing = chip[offset + i] & (uint8_t)~target;
    chip[offset + i] &= (uint8_t)~(clearing & (uint8_t)next_random());
  }
}

static void bug(const char *message, uint32_t offset) {
  printf("flash bus: %s at offset 0x%lx\n", message, (unsigned long)offset);
  failures++;
}

uint32_t flash_bus_read(uint32_t offset) {
  if (mode == STATUS) return 0x80u; /* ready, no error */
  uint32_t word;
  memcpy(&word, chip + offset, 4);
  return word;
}

void flash_bus_write(uint32_t offset, uint32_t value) {
  if (offset % 4 || offset >= EDGECL_BOARD_FLASH_BYTES) return bug("unaligned or outside access", offset);
  if (mode == AWAIT_CONFIRM) {
    if (value != 0xD0u || offset / SECTOR_BYTES != pending_offset / SECTOR_BYTES) return bug("erase without its confirm", offset);
    uint32_t sector = offset - offset % SECTOR_BYTES;
    before_operation(sector, SECTOR_BYTES, partial_erase);
    erases++;
    memset(chip + sector, 0xFF, SECTOR_BYTES);
    mode = STATUS;
    return;
  }
  if (mode == AWAIT_WORD) {
    if (offset != pending_offset) return bug("program data at another address than its command", offset);
    uint32_t old;
    memcpy(&old, chip + offset, 4);
    if ((old & value) != value) bug("program that would set a bit (the sector was not erased)", offset);
    program_value = value;
    before_operation(offset, 4, partial_program);
    programs++;
    uint32_t now = old & value;
    memcpy(chip + offset, &now, 4);
    mode = STATUS;
    return;
  }
  switch (value) {
    case 0x20u: mode = AWAIT_CONFIRM; pending_offset = offset; break;
    case 0x40u: mode = AWAIT_WORD; pending_offset = offset; break;
    case 0x50u: break;
    case 0x70u: mode = STATUS; break;
    case 0xFFu: mode = READ_ARRAY; break;
    default: bug("unknown command", offset);
  }
}

const uint8_t *flash_bus_array(void) { return chip; }

static int from_memory(void *context, uint32_t offset, uint8_t *dst, uint32_t length) {
  memcpy(dst, (const uint8_t *)context + offset, length);
  return 1;
}

static uint8_t *read_file(const char *path, uint32_t *length) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *bytes = malloc(size > 0 ? (size_t)size : 1);
  if (fread(bytes, 1, (size_t)size, f) != (size_t)size) size = -1;
  fclose(f);
  *length = (uint32_t)size;
  return size < 0 ? NULL : bytes;
}

/* Every slot that holds an image refuses it with one bit flipped, naming its stored CRC. */
static void flip_bits(void) {
  for (uint8_t slot = 0; slot < FLASH_SLOTS; slot++) {
    if (!committed[slot].bytes || committed[slot].length == 0) continue;
    uint32_t at = slot * SLOT_BYTES + FLASH_SLOT_HEADER_BYTES + committed[slot].length / 2;
    chip[at] ^= 0x08;
    const uint8_t *bytes;
    uint32_t length, crc;
    char detail[FLASH_DETAIL_MAX], expected[64];
    flash_status_t status = flash_read(slot, &bytes, &length, &crc, detail, sizeof detail);
    snprintf(expected, sizeof expected, "expected CRC-32 0x%08lx", (unsigned long)edgecl_crc32(0, committed[slot].bytes, committed[slot].length));
    if (status == FLASH_EMPTY && strstr(detail, expected)) flips++;
    else {
      failures++;
      printf("flipped bit in slot %u: expected no checkpoint, naming \"%s\", received status %d: %s\n", (unsigned)slot, expected, (int)status,
             status == FLASH_OK ? "the image" : detail);
    }
    chip[at] ^= 0x08;
  }
}

int main(int argc, char **argv) {
  if (argc != 2 && !(argc == 4 && strcmp(argv[2], "--only") == 0)) {
    fprintf(stderr, "expected: flash-power SCRIPT [--only K], received %d arguments\n", argc - 1);
    return 2;
  }
  if (argc == 4) only = strtol(argv[3], NULL, 10);
  FILE *script = fopen(argv[1], "r");
  if (!script) {
    fprintf(stderr, "expected a script at %s, received no such file\n", argv[1]);
    return 2;
  }
  memset(chip, 0xFF, sizeof chip);
  char line[4096], path[4000];
  unsigned slot;
  while (fgets(line, sizeof line, script)) {
    char detail[FLASH_DETAIL_MAX];
    if (sscanf(line, "checkpoint %u %3999s", &slot, path) == 2) {
      uint32_t length;
      uint8_t *bytes = read_file(path, &length);
      if (!bytes || slot >= FLASH_SLOTS) {
        fprintf(stderr, "expected a slot 0..3 and a readable image, received: %s", line);
        return 2;
      }
      in_progress[slot] = (image_t){bytes, length};
      busy[slot] = 1;
      uint32_t crc;
      if (flash_write((uint8_t)slot, length, from_memory, bytes, &crc, detail, sizeof detail) != FLASH_OK) {
        printf("checkpoint %u: expected success, received: %s\n", slot, detail);
        failures++;
      }
      busy[slot] = 0;
      committed[slot] = in_progress[slot];
    } else if (sscanf(line, "restore %u", &slot) == 1) {
      const uint8_t *bytes;
      uint32_t length, crc;
      flash_status_t status = flash_read((uint8_t)slot, &bytes, &length, &crc, detail, sizeof detail);
      if (status == FLASH_OK ? !same(&committed[slot], bytes, length) : committed[slot].bytes != NULL) {
        printf("restore %u: expected its last image, received status %d\n", slot, (int)status);
        failures++;
      }
    } else if (strncmp(line, "erase", 5) == 0) {
      for (unsigned s = 0; s < FLASH_SLOTS; s++) {
        in_progress[s] = (image_t){NULL, 0};
        busy[s] = 1;
      }
      if (flash_erase_all(detail, sizeof detail) != FLASH_OK) failures++;
      for (unsigned s = 0; s < FLASH_SLOTS; s++) {
        busy[s] = 0;
        committed[s] = in_progress[s];
      }
    } else if (line[0] != '\n' && line[0] != '#') {
      fprintf(stderr, "expected checkpoint SLOT FILE, restore SLOT or erase, received: %s", line);
      return 2;
    }
  }
  fclose(script);
  if (only < 0 || only == op_count) check_cut(op_count, "after every operation");
  flip_bits();
  printf("ops %ld erases %ld programs %ld cuts %ld lost %ld flips %ld failures %ld\n", op_count, erases, programs, cuts, lost, flips, failures);
  return failures ? 1 : 0;
}
