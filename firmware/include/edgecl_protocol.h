/* Generated from spec/protocol.json by scripts/gen-protocol.mjs. Do not edit: change the spec and run `npm run build`. */
#ifndef EDGECL_PROTOCOL_H
#define EDGECL_PROTOCOL_H

/* _Static_assert is C11; under C99 a negative array size stops the build instead. */
#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define EDGECL_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#else
#define EDGECL_STATIC_ASSERT_JOIN2(a, b) a##b
#define EDGECL_STATIC_ASSERT_JOIN(a, b) EDGECL_STATIC_ASSERT_JOIN2(a, b)
#define EDGECL_STATIC_ASSERT(cond, msg) typedef char EDGECL_STATIC_ASSERT_JOIN(edgecl_static_assert_, __LINE__)[(cond) ? 1 : -1]
#endif

#define EDGECL_PROTOCOL_VERSION 1u
#define EDGECL_DELIMITER 0u
#define EDGECL_HEADER_SIZE 8u
#define EDGECL_CRC_SIZE 4u
#define EDGECL_FRAME_OVERHEAD 12u /* header and CRC */
#define EDGECL_CRC32_POLY_REFLECTED 0xEDB88320u
#define EDGECL_CRC32_CHECK 0xCBF43926u /* CRC-32 of "123456789" */
#define EDGECL_CHUNK_HEADER_SIZE 17u /* fixed part of a CHUNK payload */
#define EDGECL_MIN_MAX_FRAME_SIZE 64u /* every board accepts frames of at least this many bytes (header + payload + CRC), so HELLO and CHUNK always fit */
#define EDGECL_DEFAULT_MAX_FRAME_SIZE 4096u /* frame size a decoder accepts when its peer's limit is not yet known */
#define EDGECL_MAX_MAX_FRAME_SIZE 16777216u /* largest frame size a board may advertise (16 MiB) */
#define EDGECL_NO_SEQUENCE 0u /* sequence number of a reply to a frame whose header could not be trusted; requests count from 1 and wrap from 65535 to 1 */
#define EDGECL_IMAGE_PIECE_SIZE 256u /* most bytes of a checkpoint image the board and its device module pass in one call when CHECKPOINT and RESTORE stream the image (docs/protocol.md, CHECKPOINT and RESTORE) */
/* COBS adds at most one byte per 254 and one more; the delimiter adds one. */
#define EDGECL_COBS_MAX_ENCODED(n) ((n) + (n) / 254u + 1u)
#define EDGECL_FRAME_MAX_WIRE(n) (EDGECL_COBS_MAX_ENCODED(n) + 1u)

/* Header field offsets. */
#define EDGECL_HEADER_VERSION_OFFSET 0u
#define EDGECL_HEADER_TYPE_OFFSET 1u
#define EDGECL_HEADER_SEQ_OFFSET 2u
#define EDGECL_HEADER_LENGTH_OFFSET 4u

enum edgecl_msg_type {
  EDGECL_MSG_HELLO = 0x01, /* request */
  EDGECL_MSG_DEPLOY = 0x02, /* request */
  EDGECL_MSG_DATA = 0x03, /* request */
  EDGECL_MSG_TRAIN = 0x04, /* request */
  EDGECL_MSG_EVAL = 0x05, /* request */
  EDGECL_MSG_TELEMETRY = 0x06, /* request */
  EDGECL_MSG_CHECKPOINT = 0x07, /* request */
  EDGECL_MSG_RESTORE = 0x08, /* request */
  EDGECL_MSG_RESET = 0x09, /* request */
  EDGECL_MSG_CHUNK = 0x10, /* both */
  EDGECL_MSG_RESULT = 0x80, /* reply */
  EDGECL_MSG_ERROR = 0x81, /* reply */
};
/* X-macro over the message types: X(NAME, code). */
#define EDGECL_MESSAGES(X) \
  X(HELLO, 0x01) \
  X(DEPLOY, 0x02) \
  X(DATA, 0x03) \
  X(TRAIN, 0x04) \
  X(EVAL, 0x05) \
  X(TELEMETRY, 0x06) \
  X(CHECKPOINT, 0x07) \
  X(RESTORE, 0x08) \
  X(RESET, 0x09) \
  X(CHUNK, 0x10) \
  X(RESULT, 0x80) \
  X(ERROR, 0x81)

enum edgecl_error {
  EDGECL_ERR_BAD_ENCODING = 1, /* frame: a delimiter arrived inside a COBS block */
  EDGECL_ERR_TRUNCATED = 2, /* frame: the frame is shorter than a header and a CRC */
  EDGECL_ERR_BAD_CRC = 3, /* frame: the CRC-32 does not match the header and payload */
  EDGECL_ERR_BAD_VERSION = 4, /* frame: the header's version is not the protocol version */
  EDGECL_ERR_UNKNOWN_TYPE = 5, /* frame: the header's type is not a message type */
  EDGECL_ERR_OVERSIZE = 6, /* frame: the frame, or the payload length it declares, exceeds the maximum frame size */
  EDGECL_ERR_BAD_LENGTH = 7, /* frame: the header's payload length differs from the bytes received */
  EDGECL_ERR_BAD_PAYLOAD = 16, /* message: the payload does not match the layout of its message type */
  EDGECL_ERR_UNEXPECTED_TYPE = 17, /* message: a message type the receiver does not accept (a reply sent to the board) */
  EDGECL_ERR_BAD_CHUNK = 18, /* message: a chunk is missing, repeated, out of place or inconsistent with its transfer */
  EDGECL_ERR_BUSY = 19, /* message: the board is still working on an earlier request */
  EDGECL_ERR_IN_USE = 20, /* message: another host session drives the board: only HELLO and TELEMETRY without a counter reset are answered on other links until it closes its link */
  EDGECL_ERR_NOT_DEPLOYED = 32, /* device: the request needs a deployed learner and there is none */
  EDGECL_ERR_DOES_NOT_FIT = 33, /* device: out of memory: the module, model, data or checkpoint does not fit the board */
  EDGECL_ERR_BAD_CONFIG = 34, /* device: the configuration is invalid */
  EDGECL_ERR_UNKNOWN_FORMAT = 35, /* device: the configuration names a number format the device does not know */
  EDGECL_ERR_TRAP = 36, /* device: the device module trapped */
  EDGECL_ERR_NO_DATA = 37, /* device: no samples are stored for the experience and split asked for */
  EDGECL_ERR_NO_CHECKPOINT = 38, /* device: the flash slot holds no valid checkpoint */
  EDGECL_ERR_INTERNAL = 255, /* device: a fault of the board itself */
};
/* X-macro over the error codes: X(NAME, code, meaning). */
#define EDGECL_ERRORS(X) \
  X(BAD_ENCODING, 1, "a delimiter arrived inside a COBS block") \
  X(TRUNCATED, 2, "the frame is shorter than a header and a CRC") \
  X(BAD_CRC, 3, "the CRC-32 does not match the header and payload") \
  X(BAD_VERSION, 4, "the header's version is not the protocol version") \
  X(UNKNOWN_TYPE, 5, "the header's type is not a message type") \
  X(OVERSIZE, 6, "the frame, or the payload length it declares, exceeds the maximum frame size") \
  X(BAD_LENGTH, 7, "the header's payload length differs from the bytes received") \
  X(BAD_PAYLOAD, 16, "the payload does not match the layout of its message type") \
  X(UNEXPECTED_TYPE, 17, "a message type the receiver does not accept (a reply sent to the board)") \
  X(BAD_CHUNK, 18, "a chunk is missing, repeated, out of place or inconsistent with its transfer") \
  X(BUSY, 19, "the board is still working on an earlier request") \
  X(IN_USE, 20, "another host session drives the board: only HELLO and TELEMETRY without a counter reset are answered on other links until it closes its link") \
  X(NOT_DEPLOYED, 32, "the request needs a deployed learner and there is none") \
  X(DOES_NOT_FIT, 33, "out of memory: the module, model, data or checkpoint does not fit the board") \
  X(BAD_CONFIG, 34, "the configuration is invalid") \
  X(UNKNOWN_FORMAT, 35, "the configuration names a number format the device does not know") \
  X(TRAP, 36, "the device module trapped") \
  X(NO_DATA, 37, "no samples are stored for the experience and split asked for") \
  X(NO_CHECKPOINT, 38, "the flash slot holds no valid checkpoint") \
  X(INTERNAL, 255, "a fault of the board itself")

/* Split: which part of an experience a DATA batch belongs to (values). */
#define EDGECL_SPLIT_TRAIN 0u /* training samples */
#define EDGECL_SPLIT_TEST 1u /* held-out samples for EVAL */
/* SampleEncoding: how DATA feature values are stored (values). */
#define EDGECL_SAMPLE_ENCODING_F32 0u /* one f32 per value */
#define EDGECL_SAMPLE_ENCODING_U8 1u /* one u8 per value; the device reads it as value / 255 */
/* DataFlag: bits of DATA flags (flags). */
#define EDGECL_DATA_FLAG_CLEAR 1u /* drop the samples already stored for this experience and split before storing these */
/* TrainFlag: bits of TRAIN flags (flags). */
#define EDGECL_TRAIN_FLAG_CONTINUE 1u /* more TRAIN requests of this experience follow; without it the request ends the experience and the strategy acts at the boundary (Fisher, buffer update, pruning, snapshot) */
#define EDGECL_TRAIN_FLAG_FOLLOWS 2u /* this request goes on from the previous TRAIN of the same experience and seed, which had CONTINUE: the device keeps its shuffling, replay draws, sample pool and loss sum where that one stopped, so an experience's steps split over several requests give the bits of one request; refused (BAD_PAYLOAD) when no such TRAIN came before, or a DEPLOY, DATA, RESTORE or RESET came between */
/* EvalFlag: bits of EVAL flags (flags). */
#define EDGECL_EVAL_FLAG_TASK_MASK 1u /* predict only among the classes of the evaluated experience (task-incremental scenario) */
/* TelemetryFlag: bits of TELEMETRY flags (flags). */
#define EDGECL_TELEMETRY_FLAG_RESET_COUNTERS 1u /* zero the counters after reading them */
/* ResetFlag: bits of RESET flags (flags). */
#define EDGECL_RESET_FLAG_ERASE_FLASH 1u /* also erase every checkpoint slot in flash */

/* Payload layouts: offsets of the fields that sit at a fixed offset, and the size of that fixed part. */
#define EDGECL_HELLO_FIXED_SIZE 0u /* whole payload */
#define EDGECL_HELLO_REPLY_PROTOCOL_VERSION_OFFSET 0u /* u8 */
#define EDGECL_HELLO_REPLY_MAX_FRAME_SIZE_OFFSET 1u /* u32 */
#define EDGECL_HELLO_REPLY_MEMORY_LIMIT_OFFSET 5u /* u32 */
#define EDGECL_HELLO_REPLY_FLASH_SIZE_OFFSET 9u /* u32 */
#define EDGECL_HELLO_REPLY_ACCEL_PRESENT_OFFSET 13u /* u8 */
#define EDGECL_HELLO_REPLY_ACCEL_FORMATS_OFFSET 14u /* u32 */
#define EDGECL_HELLO_REPLY_RUNTIME_OFFSET 18u /* str */
#define EDGECL_HELLO_REPLY_FIXED_SIZE 18u /* before the first variable-length field */
EDGECL_STATIC_ASSERT(EDGECL_HELLO_REPLY_ACCEL_FORMATS_OFFSET + 4u == EDGECL_HELLO_REPLY_FIXED_SIZE, "HELLO reply layout is contiguous");
#define EDGECL_DEPLOY_CONFIG_OFFSET 0u /* bytes */
#define EDGECL_DEPLOY_FIXED_SIZE 0u /* before the first variable-length field */
#define EDGECL_DEPLOY_REPLY_PARAMETERS_OFFSET 0u /* u32 */
#define EDGECL_DEPLOY_REPLY_MODEL_BYTES_OFFSET 4u /* u32 */
#define EDGECL_DEPLOY_REPLY_MEMORY_USED_OFFSET 8u /* u32 */
#define EDGECL_DEPLOY_REPLY_MEMORY_LIMIT_OFFSET 12u /* u32, filled by the board */
#define EDGECL_DEPLOY_REPLY_FIXED_SIZE 16u /* whole payload */
EDGECL_STATIC_ASSERT(EDGECL_DEPLOY_REPLY_MEMORY_LIMIT_OFFSET + 4u == EDGECL_DEPLOY_REPLY_FIXED_SIZE, "DEPLOY reply layout is contiguous");
#define EDGECL_DATA_EXPERIENCE_OFFSET 0u /* u16 */
#define EDGECL_DATA_SPLIT_OFFSET 2u /* u8 */
#define EDGECL_DATA_ENCODING_OFFSET 3u /* u8 */
#define EDGECL_DATA_FLAGS_OFFSET 4u /* u8 */
#define EDGECL_DATA_COUNT_OFFSET 5u /* u32 */
#define EDGECL_DATA_FEATURES_OFFSET 9u /* u32 */
#define EDGECL_DATA_SAMPLES_OFFSET 13u /* rest */
#define EDGECL_DATA_FIXED_SIZE 13u /* before the first variable-length field */
EDGECL_STATIC_ASSERT(EDGECL_DATA_FEATURES_OFFSET + 4u == EDGECL_DATA_FIXED_SIZE, "DATA layout is contiguous");
#define EDGECL_DATA_REPLY_STORED_OFFSET 0u /* u32 */
#define EDGECL_DATA_REPLY_MEMORY_USED_OFFSET 4u /* u32 */
#define EDGECL_DATA_REPLY_FIXED_SIZE 8u /* whole payload */
EDGECL_STATIC_ASSERT(EDGECL_DATA_REPLY_MEMORY_USED_OFFSET + 4u == EDGECL_DATA_REPLY_FIXED_SIZE, "DATA reply layout is contiguous");
#define EDGECL_TRAIN_EXPERIENCE_OFFSET 0u /* u16 */
#define EDGECL_TRAIN_ITERATIONS_OFFSET 2u /* u32 */
#define EDGECL_TRAIN_BATCH_SIZE_OFFSET 6u /* u16 */
#define EDGECL_TRAIN_SEED_OFFSET 8u /* u32 */
#define EDGECL_TRAIN_FLAGS_OFFSET 12u /* u8 */
#define EDGECL_TRAIN_FIXED_SIZE 13u /* whole payload */
EDGECL_STATIC_ASSERT(EDGECL_TRAIN_FLAGS_OFFSET + 1u == EDGECL_TRAIN_FIXED_SIZE, "TRAIN layout is contiguous");
#define EDGECL_TRAIN_REPLY_ITERATIONS_OFFSET 0u /* u32 */
#define EDGECL_TRAIN_REPLY_MEAN_LOSS_OFFSET 4u /* f32 */
#define EDGECL_TRAIN_REPLY_LAST_LOSS_OFFSET 8u /* f32 */
#define EDGECL_TRAIN_REPLY_PRECISION_SWITCHES_OFFSET 12u /* u32 */
#define EDGECL_TRAIN_REPLY_SWITCHES_OFFSET 16u /* list */
#define EDGECL_TRAIN_REPLY_FIXED_SIZE 16u /* before the first variable-length field */
#define EDGECL_TRAIN_REPLY_SWITCHES_ITEM_SIZE 7u /* bytes of one switches item */
EDGECL_STATIC_ASSERT(EDGECL_TRAIN_REPLY_PRECISION_SWITCHES_OFFSET + 4u == EDGECL_TRAIN_REPLY_FIXED_SIZE, "TRAIN reply layout is contiguous");
#define EDGECL_EVAL_EXPERIENCE_OFFSET 0u /* u16 */
#define EDGECL_EVAL_FLAGS_OFFSET 2u /* u8 */
#define EDGECL_EVAL_FIXED_SIZE 3u /* whole payload */
EDGECL_STATIC_ASSERT(EDGECL_EVAL_FLAGS_OFFSET + 1u == EDGECL_EVAL_FIXED_SIZE, "EVAL layout is contiguous");
#define EDGECL_EVAL_REPLY_CORRECT_OFFSET 0u /* u32 */
#define EDGECL_EVAL_REPLY_TOTAL_OFFSET 4u /* u32 */
#define EDGECL_EVAL_REPLY_MEAN_LOSS_OFFSET 8u /* f32 */
#define EDGECL_EVAL_REPLY_FIXED_SIZE 12u /* whole payload */
EDGECL_STATIC_ASSERT(EDGECL_EVAL_REPLY_MEAN_LOSS_OFFSET + 4u == EDGECL_EVAL_REPLY_FIXED_SIZE, "EVAL reply layout is contiguous");
#define EDGECL_TELEMETRY_FLAGS_OFFSET 0u /* u8 */
#define EDGECL_TELEMETRY_FIXED_SIZE 1u /* whole payload */
EDGECL_STATIC_ASSERT(EDGECL_TELEMETRY_FLAGS_OFFSET + 1u == EDGECL_TELEMETRY_FIXED_SIZE, "TELEMETRY layout is contiguous");
#define EDGECL_TELEMETRY_REPLY_TIME_US_OFFSET 0u /* f64, filled by the board */
#define EDGECL_TELEMETRY_REPLY_MACS_OFFSET 8u /* f64 */
#define EDGECL_TELEMETRY_REPLY_CYCLES_OFFSET 16u /* f64, filled by the board */
#define EDGECL_TELEMETRY_REPLY_ENERGY_J_OFFSET 24u /* f64, filled by the board */
#define EDGECL_TELEMETRY_REPLY_MEMORY_USED_OFFSET 32u /* u32 */
#define EDGECL_TELEMETRY_REPLY_MEMORY_PEAK_OFFSET 36u /* u32 */
#define EDGECL_TELEMETRY_REPLY_MEMORY_LIMIT_OFFSET 40u /* u32, filled by the board */
#define EDGECL_TELEMETRY_REPLY_ACCEL_JOBS_OFFSET 44u /* u32, filled by the board */
#define EDGECL_TELEMETRY_REPLY_ENERGY_ACCELERATOR_J_OFFSET 48u /* f64, filled by the board */
#define EDGECL_TELEMETRY_REPLY_ENERGY_MEMORY_J_OFFSET 56u /* f64, filled by the board */
#define EDGECL_TELEMETRY_REPLY_ENERGY_CPU_J_OFFSET 64u /* f64, filled by the board */
#define EDGECL_TELEMETRY_REPLY_ACCEL_MACS_OFFSET 72u /* f64 */
#define EDGECL_TELEMETRY_REPLY_ACCEL_UNITS_OFFSET 80u /* u32 */
#define EDGECL_TELEMETRY_REPLY_FALLBACK_NO_ACCELERATOR_OFFSET 84u /* u32 */
#define EDGECL_TELEMETRY_REPLY_FALLBACK_FORMAT_OFFSET 88u /* u32 */
#define EDGECL_TELEMETRY_REPLY_FALLBACK_ROUNDING_OFFSET 92u /* u32 */
#define EDGECL_TELEMETRY_REPLY_FALLBACK_MODE_OFFSET 96u /* u32 */
#define EDGECL_TELEMETRY_REPLY_FALLBACK_EMPTY_OFFSET 100u /* u32 */
#define EDGECL_TELEMETRY_REPLY_FALLBACK_REFUSED_OFFSET 104u /* u32 */
#define EDGECL_TELEMETRY_REPLY_CPU_MACS_EXACT_OFFSET 108u /* f64 */
#define EDGECL_TELEMETRY_REPLY_CPU_MACS_EXACT_SR_OFFSET 116u /* f64 */
#define EDGECL_TELEMETRY_REPLY_CPU_MACS_FAST_OFFSET 124u /* f64 */
#define EDGECL_TELEMETRY_REPLY_OPTIMIZER_STEPS_OFFSET 132u /* f64 */
#define EDGECL_TELEMETRY_REPLY_LOSS_SCALE_SKIPS_OFFSET 140u /* f64 */
#define EDGECL_TELEMETRY_REPLY_MACS_BY_FORMAT_OFFSET 148u /* list */
#define EDGECL_TELEMETRY_REPLY_FIXED_SIZE 148u /* before the first variable-length field */
#define EDGECL_TELEMETRY_REPLY_MACS_BY_FORMAT_ITEM_SIZE 12u /* bytes of one macsByFormat item */
#define EDGECL_TELEMETRY_REPLY_HEALTH_ITEM_SIZE 63u /* bytes of one health item */
EDGECL_STATIC_ASSERT(EDGECL_TELEMETRY_REPLY_LOSS_SCALE_SKIPS_OFFSET + 8u == EDGECL_TELEMETRY_REPLY_FIXED_SIZE, "TELEMETRY reply layout is contiguous");
#define EDGECL_CHECKPOINT_SLOT_OFFSET 0u /* u8 */
#define EDGECL_CHECKPOINT_FIXED_SIZE 1u /* whole payload */
EDGECL_STATIC_ASSERT(EDGECL_CHECKPOINT_SLOT_OFFSET + 1u == EDGECL_CHECKPOINT_FIXED_SIZE, "CHECKPOINT layout is contiguous");
#define EDGECL_CHECKPOINT_REPLY_BYTES_OFFSET 0u /* u32 */
#define EDGECL_CHECKPOINT_REPLY_CRC_OFFSET 4u /* u32 */
#define EDGECL_CHECKPOINT_REPLY_FIXED_SIZE 8u /* whole payload */
EDGECL_STATIC_ASSERT(EDGECL_CHECKPOINT_REPLY_CRC_OFFSET + 4u == EDGECL_CHECKPOINT_REPLY_FIXED_SIZE, "CHECKPOINT reply layout is contiguous");
#define EDGECL_RESTORE_SLOT_OFFSET 0u /* u8 */
#define EDGECL_RESTORE_FIXED_SIZE 1u /* whole payload */
EDGECL_STATIC_ASSERT(EDGECL_RESTORE_SLOT_OFFSET + 1u == EDGECL_RESTORE_FIXED_SIZE, "RESTORE layout is contiguous");
#define EDGECL_RESTORE_REPLY_BYTES_OFFSET 0u /* u32 */
#define EDGECL_RESTORE_REPLY_CRC_OFFSET 4u /* u32 */
#define EDGECL_RESTORE_REPLY_FIXED_SIZE 8u /* whole payload */
EDGECL_STATIC_ASSERT(EDGECL_RESTORE_REPLY_CRC_OFFSET + 4u == EDGECL_RESTORE_REPLY_FIXED_SIZE, "RESTORE reply layout is contiguous");
#define EDGECL_RESET_FLAGS_OFFSET 0u /* u8 */
#define EDGECL_RESET_FIXED_SIZE 1u /* whole payload */
EDGECL_STATIC_ASSERT(EDGECL_RESET_FLAGS_OFFSET + 1u == EDGECL_RESET_FIXED_SIZE, "RESET layout is contiguous");
#define EDGECL_RESET_REPLY_FIXED_SIZE 0u /* whole payload */
#define EDGECL_CHUNK_INNER_TYPE_OFFSET 0u /* u8 */
#define EDGECL_CHUNK_INDEX_OFFSET 1u /* u32 */
#define EDGECL_CHUNK_COUNT_OFFSET 5u /* u32 */
#define EDGECL_CHUNK_TOTAL_OFFSET 9u /* u32 */
#define EDGECL_CHUNK_OFFSET_OFFSET 13u /* u32 */
#define EDGECL_CHUNK_DATA_OFFSET 17u /* rest */
#define EDGECL_CHUNK_FIXED_SIZE 17u /* before the first variable-length field */
EDGECL_STATIC_ASSERT(EDGECL_CHUNK_OFFSET_OFFSET + 4u == EDGECL_CHUNK_FIXED_SIZE, "CHUNK layout is contiguous");
#define EDGECL_CHUNK_REPLY_RECEIVED_OFFSET 0u /* u32 */
#define EDGECL_CHUNK_REPLY_FIXED_SIZE 4u /* whole payload */
EDGECL_STATIC_ASSERT(EDGECL_CHUNK_REPLY_RECEIVED_OFFSET + 4u == EDGECL_CHUNK_REPLY_FIXED_SIZE, "CHUNK reply layout is contiguous");
#define EDGECL_RESULT_REQUEST_TYPE_OFFSET 0u /* u8 */
#define EDGECL_RESULT_BODY_OFFSET 1u /* rest */
#define EDGECL_RESULT_FIXED_SIZE 1u /* before the first variable-length field */
EDGECL_STATIC_ASSERT(EDGECL_RESULT_REQUEST_TYPE_OFFSET + 1u == EDGECL_RESULT_FIXED_SIZE, "RESULT layout is contiguous");
#define EDGECL_ERROR_REQUEST_TYPE_OFFSET 0u /* u8 */
#define EDGECL_ERROR_CODE_OFFSET 1u /* u16 */
#define EDGECL_ERROR_MESSAGE_OFFSET 3u /* str */
#define EDGECL_ERROR_FIXED_SIZE 3u /* before the first variable-length field */
EDGECL_STATIC_ASSERT(EDGECL_ERROR_CODE_OFFSET + 2u == EDGECL_ERROR_FIXED_SIZE, "ERROR layout is contiguous");

/* Static size checks. */
EDGECL_STATIC_ASSERT(EDGECL_HEADER_LENGTH_OFFSET + 4u == EDGECL_HEADER_SIZE, "the payload length ends the header");
EDGECL_STATIC_ASSERT(EDGECL_FRAME_OVERHEAD == EDGECL_HEADER_SIZE + EDGECL_CRC_SIZE, "a frame is header, payload, CRC");
EDGECL_STATIC_ASSERT(EDGECL_MIN_MAX_FRAME_SIZE > EDGECL_FRAME_OVERHEAD + EDGECL_CHUNK_HEADER_SIZE, "a CHUNK at the smallest frame size carries data");
EDGECL_STATIC_ASSERT(EDGECL_MIN_MAX_FRAME_SIZE <= EDGECL_DEFAULT_MAX_FRAME_SIZE && EDGECL_DEFAULT_MAX_FRAME_SIZE <= EDGECL_MAX_MAX_FRAME_SIZE, "frame size limits are ordered");
EDGECL_STATIC_ASSERT(EDGECL_HELLO_FIXED_SIZE + EDGECL_FRAME_OVERHEAD <= EDGECL_MIN_MAX_FRAME_SIZE, "HELLO fits the smallest frame without chunking");
EDGECL_STATIC_ASSERT(EDGECL_TRAIN_FIXED_SIZE + EDGECL_FRAME_OVERHEAD <= EDGECL_MIN_MAX_FRAME_SIZE, "TRAIN fits the smallest frame without chunking");
EDGECL_STATIC_ASSERT(EDGECL_EVAL_FIXED_SIZE + EDGECL_FRAME_OVERHEAD <= EDGECL_MIN_MAX_FRAME_SIZE, "EVAL fits the smallest frame without chunking");
EDGECL_STATIC_ASSERT(EDGECL_TELEMETRY_FIXED_SIZE + EDGECL_FRAME_OVERHEAD <= EDGECL_MIN_MAX_FRAME_SIZE, "TELEMETRY fits the smallest frame without chunking");
EDGECL_STATIC_ASSERT(EDGECL_CHECKPOINT_FIXED_SIZE + EDGECL_FRAME_OVERHEAD <= EDGECL_MIN_MAX_FRAME_SIZE, "CHECKPOINT fits the smallest frame without chunking");
EDGECL_STATIC_ASSERT(EDGECL_RESTORE_FIXED_SIZE + EDGECL_FRAME_OVERHEAD <= EDGECL_MIN_MAX_FRAME_SIZE, "RESTORE fits the smallest frame without chunking");
EDGECL_STATIC_ASSERT(EDGECL_RESET_FIXED_SIZE + EDGECL_FRAME_OVERHEAD <= EDGECL_MIN_MAX_FRAME_SIZE, "RESET fits the smallest frame without chunking");
EDGECL_STATIC_ASSERT(EDGECL_MSG_ERROR <= 0xFFu, "message types fit the u8 header field");
EDGECL_STATIC_ASSERT(EDGECL_ERR_INTERNAL <= 0xFFFFu, "error codes fit the u16 ERROR field");

#endif /* EDGECL_PROTOCOL_H */
