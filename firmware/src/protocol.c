/*
 * The board's protocol engine (serve.h's protocol_init / protocol_receive_byte): UART bytes into the
 * frame decoder, each delimited frame answered exactly once (docs/protocol.md, "Requests and replies"):
 *   - a frame that fails a check gets an ERROR, with sequence 0 and request type 0 when its header
 *     could not be trusted, and changes nothing;
 *   - a request with the sequence number, type and bytes of the one answered last is answered with the
 *     same reply again, not run twice (the frame's CRC-32 stands for its bytes);
 *   - CHUNKs are reassembled (chunk.h) and acknowledged one by one; the reply to the last one is the
 *     reply to the whole message; any other request ends a transfer in progress;
 *   - a reply too large for one frame goes out as CHUNKs with the request's sequence number.
 */
#include <string.h>

#include "board_config.h"
#include "chunk.h"
#include "frame.h"
#include "le.h"
#include "reply.h"
#include "requests.h"
#include "serve.h"

#define MAX_FRAME EDGECL_BOARD_MAX_FRAME_SIZE
#define CHUNK_DATA_CAPACITY (MAX_FRAME - EDGECL_FRAME_OVERHEAD - EDGECL_CHUNK_FIXED_SIZE)

static uint8_t frame_buffer[MAX_FRAME];
static uint8_t wire_buffer[EDGECL_FRAME_MAX_WIRE(MAX_FRAME)];
static uint8_t chunk_payload[MAX_FRAME - EDGECL_FRAME_OVERHEAD];
static edgecl_decoder decoder;
static edgecl_chunks chunks;

/* The reply to the last request, kept for a repeat; frame errors have their own, never repeated. */
static reply_t last_reply;
static reply_t frame_error;
static struct {
  int valid;
  uint16_t seq;
  uint8_t type;
  uint32_t length;
  uint32_t crc;
} last;

void protocol_init(void) {
  edgecl_decoder_init(&decoder, frame_buffer, sizeof frame_buffer);
  /* A message larger than the linear memory could not be handed to the device anyway. */
  edgecl_chunks_init(&chunks, EDGECL_BOARD_MEMORY_LIMIT_BYTES);
  reply_init(&last_reply);
  reply_init(&frame_error);
  last.valid = 0;
  requests_init();
}

static void send_frame(uint8_t type, uint16_t seq, const uint8_t *payload, uint32_t length) {
  size_t n = edgecl_frame_encode(type, seq, payload, length, wire_buffer, sizeof wire_buffer);
  board_send(wire_buffer, n);
}

static void send_reply(const reply_t *reply, uint16_t seq) {
  if (reply->length <= MAX_FRAME - EDGECL_FRAME_OVERHEAD) {
    send_frame(reply->type, seq, reply->payload, reply->length);
    return;
  }
  uint32_t count = (reply->length + CHUNK_DATA_CAPACITY - 1) / CHUNK_DATA_CAPACITY;
  for (uint32_t index = 0; index < count; index++) {
    uint32_t offset = index * CHUNK_DATA_CAPACITY;
    uint32_t n = reply->length - offset < CHUNK_DATA_CAPACITY ? reply->length - offset : CHUNK_DATA_CAPACITY;
    chunk_payload[EDGECL_CHUNK_INNER_TYPE_OFFSET] = reply->type;
    put_le32(chunk_payload + EDGECL_CHUNK_INDEX_OFFSET, index);
    put_le32(chunk_payload + EDGECL_CHUNK_COUNT_OFFSET, count);
    put_le32(chunk_payload + EDGECL_CHUNK_TOTAL_OFFSET, reply->length);
    put_le32(chunk_payload + EDGECL_CHUNK_OFFSET_OFFSET, offset);
    memcpy(chunk_payload + EDGECL_CHUNK_DATA_OFFSET, reply->payload + offset, n);
    send_frame(EDGECL_MSG_CHUNK, seq, chunk_payload, EDGECL_CHUNK_FIXED_SIZE + n);
  }
}

/* What a rejected frame gets: docs/protocol.md's check, in its "expected X, received Y" form. */
static void reject(int code, const edgecl_frame *frame) {
  uint8_t type = frame->header_trusted ? frame->type : 0;
  uint16_t seq = frame->header_trusted ? frame->seq : EDGECL_NO_SEQUENCE;
  switch (code) {
    case EDGECL_ERR_BAD_ENCODING:
      reply_error(&frame_error, 0, code, "expected a frame whose COBS blocks end before the delimiter, received one cut inside a block");
      break;
    case EDGECL_ERR_TRUNCATED:
      reply_error(&frame_error, 0, code, "expected a frame of at least %u bytes (header and CRC), received fewer", (unsigned)EDGECL_FRAME_OVERHEAD);
      break;
    case EDGECL_ERR_BAD_CRC:
      reply_error(&frame_error, 0, code, "expected a frame whose CRC-32 matches its header and payload, received one that does not");
      break;
    case EDGECL_ERR_BAD_VERSION:
      /* The header sits just before the payload in the decoder's buffer. */
      reply_error(&frame_error, type, code, "expected protocol version %u, received version %u", (unsigned)EDGECL_PROTOCOL_VERSION,
                  (unsigned)frame->payload[(int)EDGECL_HEADER_VERSION_OFFSET - (int)EDGECL_HEADER_SIZE]);
      break;
    case EDGECL_ERR_UNKNOWN_TYPE:
      reply_error(&frame_error, type, code, "expected a message type, received 0x%02x", (unsigned)frame->type);
      break;
    case EDGECL_ERR_OVERSIZE:
      if (frame->header_trusted)
        reply_error(&frame_error, type, code, "expected a payload of at most %lu bytes (maximum frame size %lu), received a header declaring %lu",
                    (unsigned long)(MAX_FRAME - EDGECL_FRAME_OVERHEAD), (unsigned long)MAX_FRAME, (unsigned long)frame->length);
      else
        reply_error(&frame_error, 0, code, "expected a frame of at most %lu bytes, received a longer one", (unsigned long)MAX_FRAME);
      break;
    case EDGECL_ERR_BAD_LENGTH:
      reply_error(&frame_error, type, code, "expected the %lu payload bytes the header declares, received another count", (unsigned long)frame->length);
      break;
    default:
      reply_error(&frame_error, type, EDGECL_ERR_INTERNAL, "the frame decoder failed with code %d", code);
      break;
  }
  send_reply(&frame_error, seq);
}

static void request(const edgecl_frame *frame) {
  /* The CRC-32 follows the payload in the decoder's buffer. */
  uint32_t crc = le32(frame->payload + frame->length);
  if (last.valid && last.seq == frame->seq && last.type == frame->type && last.length == frame->length && last.crc == crc) {
    send_reply(&last_reply, frame->seq);
    return;
  }
  if (frame->type == EDGECL_MSG_CHUNK) {
    edgecl_chunk_result result;
    edgecl_chunks_push(&chunks, frame->payload, frame->length, &result);
    if (result.status == EDGECL_CHUNK_PENDING) {
      uint8_t *body = reply_result(&last_reply, EDGECL_MSG_CHUNK, EDGECL_CHUNK_REPLY_FIXED_SIZE);
      if (body != NULL) put_le32(body + EDGECL_CHUNK_REPLY_RECEIVED_OFFSET, result.received);
    } else if (result.status == EDGECL_CHUNK_FAILED) {
      reply_error(&last_reply, EDGECL_MSG_CHUNK, result.code, "%s", result.detail);
    } else {
      requests_handle(result.inner_type, result.data, result.length, &last_reply);
      edgecl_chunks_release(&chunks);
    }
  } else {
    if (chunks.open) edgecl_chunks_abort(&chunks);
    requests_handle(frame->type, frame->payload, frame->length, &last_reply);
  }
  last.valid = 1;
  last.seq = frame->seq;
  last.type = frame->type;
  last.length = frame->length;
  last.crc = crc;
  send_reply(&last_reply, frame->seq);
}

void protocol_receive_byte(uint8_t byte) {
  edgecl_frame frame;
  int result = edgecl_decoder_push(&decoder, byte, &frame);
  if (result == EDGECL_FRAME_PENDING) return;
  if (result == EDGECL_FRAME_READY)
    request(&frame);
  else
    reject(result, &frame);
}
