/* Requests: see requests.h. The order of the checks in each handler is the simulated board's
 * (board/sim/board.ts), so both boards answer the same request with the same error code. */
#include "requests.h"

#include <string.h>

#include "accel_totals.h"
#include "board_config.h"
#include "clock.h"
#include "device_module.h"
#include "energy.h"
#include "flash.h"
#include "le.h"
#include "runtime.h"

#define WASM_PAGE_BYTES 65536u
#define FEMTO 1e-15
#define PICO 1e-12

EDGECL_STATIC_ASSERT(EDGECL_BOARD_MAX_FRAME_SIZE >= EDGECL_MIN_MAX_FRAME_SIZE && EDGECL_BOARD_MAX_FRAME_SIZE <= EDGECL_MAX_MAX_FRAME_SIZE,
                     "transport.maxFrameSize is one the protocol allows");

static uint32_t memory_limit_bytes(void) { return runtime_memory_limit_pages() * WASM_PAGE_BYTES; }

/* TELEMETRY's reply with `count` macsByFormat items and `health` health items: the fixed part, the
 * macsByFormat list (u16 count, items), modelChecksum (u32), then the health list (u16 count, items). */
#define TELEMETRY_HEALTH_COUNT_OFFSET(count) (EDGECL_TELEMETRY_REPLY_FIXED_SIZE + 2u + EDGECL_TELEMETRY_REPLY_MACS_BY_FORMAT_ITEM_SIZE * (count) + 4u)
#define TELEMETRY_REPLY_BYTES(count, health) (TELEMETRY_HEALTH_COUNT_OFFSET(count) + 2u + EDGECL_TELEMETRY_REPLY_HEALTH_ITEM_SIZE * (health))

/* TRAIN's reply with `count` switches items: the fixed part, the list's u16 count and items
 * ({step: u32, state: u8, layer: u8, role: u8}), the last field. */
#define TRAIN_REPLY_BYTES(count) (EDGECL_TRAIN_REPLY_FIXED_SIZE + 2u + EDGECL_TRAIN_REPLY_SWITCHES_ITEM_SIZE * (count))

/* What the board counts itself since its counters were last reset, as the simulated board's
 * BoardCounters (board/sim/board.ts): the accelerator's work is taken after every command and added up
 * in binary64 in the same order, so TELEMETRY gives the simulated board's bits. Device time is
 * device_busy_us. */
static struct {
  double cycles;
  double accel_energy_j;
  double accel_memory_j; /* the part of accel_energy_j spent on memory traffic */
  uint32_t accel_jobs;
} counters;

static void reset_counters(void) {
  device_reset_busy();
  memset(&counters, 0, sizeof counters);
}

/* Runs a request on the device (device_run), then adds the accelerator's work since the last one. The
 * work of a TRAIN with CONTINUE is added with the next request's, as the simulated board does: a split
 * experience then sums as one request. */
static int run(uint8_t type, const uint8_t *payload, uint32_t length, uint32_t *body_offset, uint32_t *body_length, reply_t *reply) {
  int ok = device_run(type, payload, length, body_offset, body_length, reply);
  if (type == EDGECL_MSG_TRAIN && length == EDGECL_TRAIN_FIXED_SIZE && (payload[EDGECL_TRAIN_FLAGS_OFFSET] & EDGECL_TRAIN_FLAG_CONTINUE)) return ok;
  board_accel_totals_t accel;
  board_accel_totals(&accel);
  board_accel_mark();
  counters.cycles += (double)accel.cycles;
  counters.accel_energy_j += (double)accel.energy_fj * FEMTO;
  counters.accel_memory_j += accel.memory_pj * PICO;
  counters.accel_jobs += accel.jobs;
  return ok;
}

void requests_init(void) {
  device_boot();
  reset_counters();
}

/* ---- payload layouts ---- */

/* An enumerated field of a request: a value among `allowed` (bit v set: value v allowed) or, for flag
 * fields, a combination of the `allowed` bits. `labels` lists them as docs/protocol.md names them. */
typedef struct {
  uint32_t offset;
  const char *field;
  int flags;
  uint32_t allowed;
  const char *labels;
} enum_field_t;

typedef struct {
  const char *message;
  uint32_t fixed; /* bytes before any variable-length field, or of the whole payload */
  int exact;      /* 1: the fixed part is the whole payload */
  enum_field_t enums[3];
  uint32_t enum_count;
} layout_t;

static const layout_t data_layout = {"DATA", EDGECL_DATA_FIXED_SIZE, 0,
                                     {{EDGECL_DATA_SPLIT_OFFSET, "split", 0, (1u << EDGECL_SPLIT_TRAIN) | (1u << EDGECL_SPLIT_TEST), "TRAIN (0), TEST (1)"},
                                      {EDGECL_DATA_ENCODING_OFFSET, "encoding", 0, (1u << EDGECL_SAMPLE_ENCODING_F32) | (1u << EDGECL_SAMPLE_ENCODING_U8), "F32 (0), U8 (1)"},
                                      {EDGECL_DATA_FLAGS_OFFSET, "flags", 1, EDGECL_DATA_FLAG_CLEAR, "DataFlag bits CLEAR (1)"}},
                                     3};
static const layout_t train_layout = {"TRAIN", EDGECL_TRAIN_FIXED_SIZE, 1,
                                      {{EDGECL_TRAIN_FLAGS_OFFSET, "flags", 1, EDGECL_TRAIN_FLAG_CONTINUE | EDGECL_TRAIN_FLAG_FOLLOWS,
                                        "TrainFlag bits CONTINUE (1), FOLLOWS (2)"}}, 1};
static const layout_t eval_layout = {"EVAL", EDGECL_EVAL_FIXED_SIZE, 1,
                                     {{EDGECL_EVAL_FLAGS_OFFSET, "flags", 1, EDGECL_EVAL_FLAG_TASK_MASK, "EvalFlag bits TASK_MASK (1)"}}, 1};
static const layout_t telemetry_layout = {"TELEMETRY", EDGECL_TELEMETRY_FIXED_SIZE, 1,
                                          {{EDGECL_TELEMETRY_FLAGS_OFFSET, "flags", 1, EDGECL_TELEMETRY_FLAG_RESET_COUNTERS, "TelemetryFlag bits RESET_COUNTERS (1)"}}, 1};
static const layout_t checkpoint_layout = {"CHECKPOINT", EDGECL_CHECKPOINT_FIXED_SIZE, 1, {{0}}, 0};
static const layout_t restore_layout = {"RESTORE", EDGECL_RESTORE_FIXED_SIZE, 1, {{0}}, 0};
static const layout_t reset_layout = {"RESET", EDGECL_RESET_FIXED_SIZE, 1,
                                      {{EDGECL_RESET_FLAGS_OFFSET, "flags", 1, EDGECL_RESET_FLAG_ERASE_FLASH, "ResetFlag bits ERASE_FLASH (1)"}}, 1};

/* Checks a payload against its layout; 0 and a BAD_PAYLOAD in the reply when it does not match. */
static int check_layout(const layout_t *layout, uint8_t type, const uint8_t *payload, uint32_t length, reply_t *reply) {
  if (length < layout->fixed || (layout->exact && length != layout->fixed)) {
    reply_error(reply, type, EDGECL_ERR_BAD_PAYLOAD, "expected %s%lu bytes of %s payload, received %lu", layout->exact ? "" : "at least ",
                (unsigned long)layout->fixed, layout->message, (unsigned long)length);
    return 0;
  }
  for (uint32_t i = 0; i < layout->enum_count; i++) {
    const enum_field_t *f = &layout->enums[i];
    uint32_t value = payload[f->offset];
    int ok = f->flags ? (value & ~f->allowed) == 0 : value < 32 && ((f->allowed >> value) & 1u);
    if (!ok) {
      reply_error(reply, type, EDGECL_ERR_BAD_PAYLOAD, "%s payload: expected %s to %s %s, received %lu", layout->message, f->field,
                  f->flags ? "combine only the" : "be one of", f->labels, (unsigned long)value);
      return 0;
    }
  }
  return 1;
}

/* ---- replies built from the device's ---- */

/* Copies a device RESULT body of exactly `expected` bytes into the reply; INTERNAL when it differs. */
static uint8_t *result_from_device(uint8_t type, uint32_t offset, uint32_t length, uint32_t expected, reply_t *reply) {
  if (length != expected) {
    reply_error(reply, type, EDGECL_ERR_INTERNAL, "the device's %s reply does not match its layout: expected %lu bytes, received %lu",
                protocol_message_name(type), (unsigned long)expected, (unsigned long)length);
    return NULL;
  }
  uint8_t *body = reply_result(reply, type, length);
  if (body != NULL && !device_read(offset, body, length)) {
    reply_error(reply, type, EDGECL_ERR_INTERNAL, "the board could not read the device's %s reply", protocol_message_name(type));
    return NULL;
  }
  return body;
}

static void not_deployed(uint8_t type, reply_t *reply) {
  reply_error(reply, type, EDGECL_ERR_NOT_DEPLOYED, "expected a deployed learner for %s, received none; send DEPLOY first",
              protocol_message_name(type));
}

/* ---- the requests ---- */

static void hello(const uint8_t *payload, uint32_t length, reply_t *reply) {
  (void)payload;
  if (length != EDGECL_HELLO_FIXED_SIZE) {
    reply_error(reply, EDGECL_MSG_HELLO, EDGECL_ERR_BAD_PAYLOAD, "expected 0 bytes of HELLO payload, received %lu", (unsigned long)length);
    return;
  }
  const char *runtime = runtime_name();
  const char *board = EDGECL_BOARD_NAME;
  uint32_t runtime_length = (uint32_t)strlen(runtime), board_length = (uint32_t)strlen(board);
  uint8_t *body = reply_result(reply, EDGECL_MSG_HELLO, EDGECL_HELLO_REPLY_FIXED_SIZE + 2u + runtime_length + 2u + board_length);
  if (body == NULL) return;
  body[EDGECL_HELLO_REPLY_PROTOCOL_VERSION_OFFSET] = EDGECL_PROTOCOL_VERSION;
  put_le32(body + EDGECL_HELLO_REPLY_MAX_FRAME_SIZE_OFFSET, EDGECL_BOARD_MAX_FRAME_SIZE);
  put_le32(body + EDGECL_HELLO_REPLY_MEMORY_LIMIT_OFFSET, memory_limit_bytes());
  put_le32(body + EDGECL_HELLO_REPLY_FLASH_SIZE_OFFSET, flash_size());
  body[EDGECL_HELLO_REPLY_ACCEL_PRESENT_OFFSET] = EDGECL_BOARD_ACCEL_PRESENT;
  put_le32(body + EDGECL_HELLO_REPLY_ACCEL_FORMATS_OFFSET, EDGECL_BOARD_ACCEL_PRESENT ? EDGECL_BOARD_ACCEL_FORMATS : 0u);
  uint8_t *at = body + EDGECL_HELLO_REPLY_RUNTIME_OFFSET;
  put_le16(at, (uint16_t)runtime_length);
  memcpy(at + 2, runtime, runtime_length);
  at += 2 + runtime_length;
  put_le16(at, (uint16_t)board_length);
  memcpy(at + 2, board, board_length);
}

/* Runs the DEPLOY configuration (the payload with its module part empty) on the instance calls go to;
 * 1 when it succeeded. */
static int configure(const uint8_t *config_only, uint32_t length, reply_t *reply) {
  uint32_t offset, body_length;
  if (!run(EDGECL_MSG_DEPLOY, config_only, length, &offset, &body_length, reply)) return 0;
  uint8_t *body = result_from_device(EDGECL_MSG_DEPLOY, offset, body_length, EDGECL_DEPLOY_REPLY_FIXED_SIZE, reply);
  if (body == NULL) return 0;
  /* The limit is the board's: the device module cannot see the maximum its memory was given. */
  put_le32(body + EDGECL_DEPLOY_REPLY_MEMORY_LIMIT_OFFSET, memory_limit_bytes());
  return 1;
}

static void deploy(const uint8_t *payload, uint32_t length, reply_t *reply) {
  if (length < 4) {
    reply_error(reply, EDGECL_MSG_DEPLOY, EDGECL_ERR_BAD_PAYLOAD, "expected 4 bytes for DEPLOY payload field config length at offset 0, received %lu",
                (unsigned long)length);
    return;
  }
  uint32_t text = le32(payload + EDGECL_DEPLOY_CONFIG_OFFSET);
  if (text > length - 4) {
    reply_error(reply, EDGECL_MSG_DEPLOY, EDGECL_ERR_BAD_PAYLOAD, "expected %lu bytes for DEPLOY payload field config at offset 4, received %lu",
                (unsigned long)text, (unsigned long)(length - 4));
    return;
  }
  /* The device sees the DEPLOY layout with the module part empty: the board deals with the module. */
  uint32_t config_only = 4 + text;
  uint32_t module_length = length - config_only;
  if (module_length == 0) {
    if (!device_deployed()) {
      reply_error(reply, EDGECL_MSG_DEPLOY, EDGECL_ERR_NOT_DEPLOYED, "expected a module in the first DEPLOY, received a configuration alone");
      return;
    }
    configure(payload, config_only, reply);
    return;
  }
  if (!device_load(payload + config_only, module_length, reply)) return;
  /* Only a deployment that succeeded replaces the previous one, which keeps working otherwise. */
  if (configure(payload, config_only, reply))
    device_commit();
  else
    device_discard();
}

static void forward(const layout_t *layout, uint8_t type, uint32_t reply_size, const uint8_t *payload, uint32_t length, reply_t *reply) {
  if (!check_layout(layout, type, payload, length, reply)) return;
  if (!device_deployed()) {
    not_deployed(type, reply);
    return;
  }
  uint32_t offset, body_length;
  if (!run(type, payload, length, &offset, &body_length, reply)) return;
  result_from_device(type, offset, body_length, reply_size, reply);
}

/* TRAIN is forwarded as it is; its reply ends with the list of the precision switches it made. */
static void train(const uint8_t *payload, uint32_t length, reply_t *reply) {
  if (!check_layout(&train_layout, EDGECL_MSG_TRAIN, payload, length, reply)) return;
  if (!device_deployed()) {
    not_deployed(EDGECL_MSG_TRAIN, reply);
    return;
  }
  uint32_t offset, body_length, count = 0;
  uint8_t count_bytes[2];
  if (!run(EDGECL_MSG_TRAIN, payload, length, &offset, &body_length, reply)) return;
  if (body_length >= EDGECL_TRAIN_REPLY_FIXED_SIZE + 2u && device_read(offset + EDGECL_TRAIN_REPLY_FIXED_SIZE, count_bytes, 2))
    count = le16(count_bytes);
  result_from_device(EDGECL_MSG_TRAIN, offset, body_length, TRAIN_REPLY_BYTES(count), reply);
}

static void telemetry(const uint8_t *payload, uint32_t length, reply_t *reply) {
  if (!check_layout(&telemetry_layout, EDGECL_MSG_TELEMETRY, payload, length, reply)) return;
  uint8_t *body;
  if (device_deployed()) {
    uint32_t offset, body_length;
    uint8_t count_bytes[2];
    if (!run(EDGECL_MSG_TELEMETRY, payload, length, &offset, &body_length, reply)) return;
    /* The fixed part, then macsByFormat, the device's modelChecksum and the health list, passed on as
     * they are. */
    uint32_t count = 0, health = 0;
    if (body_length >= EDGECL_TELEMETRY_REPLY_FIXED_SIZE + 2u && device_read(offset + EDGECL_TELEMETRY_REPLY_FIXED_SIZE, count_bytes, 2))
      count = le16(count_bytes);
    if (body_length >= TELEMETRY_HEALTH_COUNT_OFFSET(count) + 2u && device_read(offset + TELEMETRY_HEALTH_COUNT_OFFSET(count), count_bytes, 2))
      health = le16(count_bytes);
    body = result_from_device(EDGECL_MSG_TELEMETRY, offset, body_length, TELEMETRY_REPLY_BYTES(count, health), reply);
    if (body == NULL) return;
  } else {
    /* Nothing deployed: an empty macsByFormat, a modelChecksum of 0 and an empty health list. */
    body = reply_result(reply, EDGECL_MSG_TELEMETRY, TELEMETRY_REPLY_BYTES(0, 0));
    if (body == NULL) return;
    memset(body, 0, TELEMETRY_REPLY_BYTES(0, 0));
  }
  /* The board's own counters: device time, the accelerator's work, and the energy estimate of the
   * simulated board (board/sim/board.ts telemetry): the accelerator's counted energy plus the CPU path's,
   * for the MACs the device reports its CPU kernels ran (zeros when nothing is deployed). */
  const double cpu_j = energy_cpu_j_of(body);
  put_f64(body + EDGECL_TELEMETRY_REPLY_TIME_US_OFFSET, device_busy_us());
  put_f64(body + EDGECL_TELEMETRY_REPLY_CYCLES_OFFSET, counters.cycles);
  put_f64(body + EDGECL_TELEMETRY_REPLY_ENERGY_J_OFFSET, counters.accel_energy_j + cpu_j);
  put_f64(body + EDGECL_TELEMETRY_REPLY_ENERGY_ACCELERATOR_J_OFFSET, counters.accel_energy_j - counters.accel_memory_j);
  put_f64(body + EDGECL_TELEMETRY_REPLY_ENERGY_MEMORY_J_OFFSET, counters.accel_memory_j);
  put_f64(body + EDGECL_TELEMETRY_REPLY_ENERGY_CPU_J_OFFSET, cpu_j);
  put_le32(body + EDGECL_TELEMETRY_REPLY_MEMORY_LIMIT_OFFSET, memory_limit_bytes());
  put_le32(body + EDGECL_TELEMETRY_REPLY_ACCEL_JOBS_OFFSET, counters.accel_jobs);
  if (payload[EDGECL_TELEMETRY_FLAGS_OFFSET] & EDGECL_TELEMETRY_FLAG_RESET_COUNTERS) reset_counters();
}

/* flash_source_t over the device's reply body in linear memory. */
static int from_linear_memory(void *context, uint32_t offset, uint8_t *dst, uint32_t length) {
  return device_read(*(const uint32_t *)context + offset, dst, length);
}

static int slot_ok(uint8_t type, uint8_t slot, reply_t *reply) {
  if (slot < FLASH_SLOTS) return 1;
  reply_error(reply, type, EDGECL_ERR_BAD_PAYLOAD, "expected a flash slot 0..%u, received %u", (unsigned)FLASH_SLOTS - 1, (unsigned)slot);
  return 0;
}

static void put_bytes_and_crc(uint8_t type, uint32_t bytes, uint32_t crc, reply_t *reply) {
  uint8_t *body = reply_result(reply, type, 8);
  if (body == NULL) return;
  put_le32(body, bytes);
  put_le32(body + 4, crc);
}

/* Bytes before a piece's data in the module's CHECKPOINT and RESTORE payloads: slot or pass u8, offset u32. */
#define PIECE_HEADER 5u
/* The image header's u32 at this offset is the bytes of its regions: the image is 16 + that + 4 bytes. */
#define IMAGE_REGIONS_OFFSET 12u
#define IMAGE_HEADER_BYTES 16u

/* flash_source_t that asks the device for the image piece by piece (docs/protocol.md, "CHECKPOINT and
 * RESTORE in pieces"), so that its linear memory never holds the whole image. The first piece was
 * asked for before the flash was touched, and is kept. */
typedef struct {
  uint8_t slot;
  uint32_t piece_bytes;
  uint8_t first[EDGECL_IMAGE_PIECE_SIZE];
  uint32_t first_length;
  reply_t *reply;
  int refused; /* the device answered a piece with an ERROR, which is in the reply */
} image_pieces_t;

static int image_piece(image_pieces_t *pieces, uint32_t at, uint32_t *offset, uint32_t *length) {
  uint8_t request[PIECE_HEADER];
  request[0] = pieces->slot;
  put_le32(request + 1, at);
  pieces->refused = 1;
  if (!run(EDGECL_MSG_CHECKPOINT, request, sizeof request, offset, length, pieces->reply)) return 0;
  if (*length == 0 || *length > pieces->piece_bytes) {
    reply_error(pieces->reply, EDGECL_MSG_CHECKPOINT, EDGECL_ERR_INTERNAL, "expected a piece of the checkpoint image at byte %lu of at most %lu bytes, received %lu",
                (unsigned long)at, (unsigned long)pieces->piece_bytes, (unsigned long)*length);
    return 0;
  }
  pieces->refused = 0;
  return 1;
}

static int from_image_pieces(void *context, uint32_t at, uint8_t *dst, uint32_t length) {
  image_pieces_t *pieces = context;
  while (length > 0) {
    uint32_t offset, got;
    if (at < pieces->first_length) {
      got = pieces->first_length - at < length ? pieces->first_length - at : length;
      memcpy(dst, pieces->first + at, got);
    } else {
      if (!image_piece(pieces, at, &offset, &got)) return 0;
      if (got > length) got = length;
      if (!device_read(offset, dst, got)) return 0;
    }
    at += got;
    dst += got;
    length -= got;
  }
  return 1;
}

static void checkpoint(const uint8_t *payload, uint32_t length, reply_t *reply) {
  if (!check_layout(&checkpoint_layout, EDGECL_MSG_CHECKPOINT, payload, length, reply)) return;
  uint8_t slot = payload[EDGECL_CHECKPOINT_SLOT_OFFSET];
  if (!slot_ok(EDGECL_MSG_CHECKPOINT, slot, reply)) return;
  if (!device_deployed()) {
    not_deployed(EDGECL_MSG_CHECKPOINT, reply);
    return;
  }
  uint32_t offset, image_length, crc;
  char detail[FLASH_DETAIL_MAX];
  flash_status_t status;
  uint32_t piece_bytes = device_image_piece_bytes();
  if (piece_bytes >= IMAGE_HEADER_BYTES && piece_bytes <= EDGECL_IMAGE_PIECE_SIZE) {
    /* The first piece (offset 0 packs the learner's state) gives the image's length, before any erase. */
    static image_pieces_t pieces;
    pieces.slot = slot;
    pieces.piece_bytes = piece_bytes;
    pieces.reply = reply;
    pieces.first_length = 0;
    if (!image_piece(&pieces, 0, &offset, &pieces.first_length) || !device_read(offset, pieces.first, pieces.first_length)) return;
    if (pieces.first_length < IMAGE_HEADER_BYTES) {
      reply_error(reply, EDGECL_MSG_CHECKPOINT, EDGECL_ERR_INTERNAL, "expected the checkpoint image's %u-byte header in its first piece, received %lu bytes",
                  (unsigned)IMAGE_HEADER_BYTES, (unsigned long)pieces.first_length);
      return;
    }
    image_length = IMAGE_HEADER_BYTES + le32(pieces.first + IMAGE_REGIONS_OFFSET) + 4u;
    status = flash_write(slot, image_length, from_image_pieces, &pieces, &crc, detail, sizeof detail);
    /* A piece the device refused has its ERROR in the reply already. */
    if (status == FLASH_FAULT && pieces.refused) return;
  } else {
    if (!run(EDGECL_MSG_CHECKPOINT, payload, length, &offset, &image_length, reply)) return;
    status = flash_write(slot, image_length, from_linear_memory, &offset, &crc, detail, sizeof detail);
  }
  if (status == FLASH_OK)
    put_bytes_and_crc(EDGECL_MSG_CHECKPOINT, image_length, crc, reply);
  else
    reply_error(reply, EDGECL_MSG_CHECKPOINT, status == FLASH_TOO_LARGE ? EDGECL_ERR_DOES_NOT_FIT : EDGECL_ERR_INTERNAL, "%s", detail);
}

/* Hands the image to the device piece by piece: every piece checked (pass 0), then written (pass 1). */
static int restore_pieces(const uint8_t *image, uint32_t image_length, uint32_t piece_bytes, reply_t *reply) {
  static uint8_t request[PIECE_HEADER + EDGECL_IMAGE_PIECE_SIZE];
  for (uint8_t pass = 0; pass <= 1; pass++)
    for (uint32_t at = 0; at < image_length; at += piece_bytes) {
      uint32_t n = image_length - at < piece_bytes ? image_length - at : piece_bytes;
      uint32_t offset, body_length;
      request[0] = pass;
      put_le32(request + 1, at);
      memcpy(request + PIECE_HEADER, image + at, n);
      if (!run(EDGECL_MSG_RESTORE, request, PIECE_HEADER + n, &offset, &body_length, reply)) return 0;
    }
  return 1;
}

static void restore(const uint8_t *payload, uint32_t length, reply_t *reply) {
  if (!check_layout(&restore_layout, EDGECL_MSG_RESTORE, payload, length, reply)) return;
  uint8_t slot = payload[EDGECL_RESTORE_SLOT_OFFSET];
  if (!slot_ok(EDGECL_MSG_RESTORE, slot, reply)) return;
  const uint8_t *image;
  uint32_t image_length, crc, offset, body_length;
  char detail[FLASH_DETAIL_MAX];
  if (flash_read(slot, &image, &image_length, &crc, detail, sizeof detail) != FLASH_OK) {
    reply_error(reply, EDGECL_MSG_RESTORE, EDGECL_ERR_NO_CHECKPOINT, "%s", detail);
    return;
  }
  if (!device_deployed()) {
    not_deployed(EDGECL_MSG_RESTORE, reply);
    return;
  }
  /* The device validates the image and loads it or refuses it, changing nothing: in pieces when it
   * takes them, else the image itself as the request payload. */
  uint32_t piece_bytes = device_image_piece_bytes();
  if (piece_bytes > 0 && piece_bytes <= EDGECL_IMAGE_PIECE_SIZE) {
    if (!restore_pieces(image, image_length, piece_bytes, reply)) return;
  } else if (!run(EDGECL_MSG_RESTORE, image, image_length, &offset, &body_length, reply))
    return;
  put_bytes_and_crc(EDGECL_MSG_RESTORE, image_length, crc, reply);
}

static void reset(const uint8_t *payload, uint32_t length, reply_t *reply) {
  if (!check_layout(&reset_layout, EDGECL_MSG_RESET, payload, length, reply)) return;
  if (device_deployed()) {
    uint32_t offset, body_length;
    if (!run(EDGECL_MSG_RESET, payload, length, &offset, &body_length, reply)) return;
    /* A fresh instance: linear memory back to the module's initial size, nothing of the learner left. */
    if (!device_reinstantiate(EDGECL_MSG_RESET, reply)) {
      device_set_deployed(0);
      return;
    }
  }
  if (payload[EDGECL_RESET_FLAGS_OFFSET] & EDGECL_RESET_FLAG_ERASE_FLASH) {
    char detail[FLASH_DETAIL_MAX];
    if (flash_erase_all(detail, sizeof detail) != FLASH_OK) {
      reply_error(reply, EDGECL_MSG_RESET, EDGECL_ERR_INTERNAL, "%s", detail);
      return;
    }
  }
  reset_counters();
  reply_result(reply, EDGECL_MSG_RESET, EDGECL_RESET_REPLY_FIXED_SIZE);
}

void requests_handle(uint8_t type, const uint8_t *payload, uint32_t length, reply_t *reply) {
  switch (type) {
    case EDGECL_MSG_HELLO: hello(payload, length, reply); return;
    case EDGECL_MSG_DEPLOY: deploy(payload, length, reply); return;
    case EDGECL_MSG_DATA: forward(&data_layout, type, EDGECL_DATA_REPLY_FIXED_SIZE, payload, length, reply); return;
    case EDGECL_MSG_TRAIN: train(payload, length, reply); return;
    case EDGECL_MSG_EVAL: forward(&eval_layout, type, EDGECL_EVAL_REPLY_FIXED_SIZE, payload, length, reply); return;
    case EDGECL_MSG_TELEMETRY: telemetry(payload, length, reply); return;
    case EDGECL_MSG_CHECKPOINT: checkpoint(payload, length, reply); return;
    case EDGECL_MSG_RESTORE: restore(payload, length, reply); return;
    case EDGECL_MSG_RESET: reset(payload, length, reply); return;
    case EDGECL_MSG_RESULT:
    case EDGECL_MSG_ERROR:
      reply_error(reply, type, EDGECL_ERR_UNEXPECTED_TYPE, "expected a request, received a %s (replies go from the board to the host)",
                  protocol_message_name(type));
      return;
    default: {
      const char *name = protocol_message_name(type);
      if (name != NULL)
        reply_error(reply, type, EDGECL_ERR_UNEXPECTED_TYPE, "expected a request the board runs, received %s", name);
      else
        reply_error(reply, type, EDGECL_ERR_UNEXPECTED_TYPE, "expected a request the board runs, received type %u", (unsigned)type);
      return;
    }
  }
}
