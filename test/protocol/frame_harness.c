/*
 * Drives firmware/src/frame.c from a test (test/protocol/frame-c.test.ts builds it with the host gcc).
 *   frame_harness decode MAX < stream   one line per result: "ok TYPE SEQ HEX" or "err CODE SEQ TYPE"
 *                                        (SEQ and TYPE are "-" when the header was not trusted; HEX "-" if empty)
 *   frame_harness encode < lines         each input line "TYPE SEQ HEX" gives the frame's wire bytes in hex
 *   frame_harness crc < bytes            CRC-32 of stdin, 8 hex digits
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

static uint8_t *read_all(size_t *length) {
  size_t capacity = 4096, n = 0, got;
  uint8_t *data = malloc(capacity);
  if (!data) return NULL;
  while ((got = fread(data + n, 1, capacity - n, stdin)) > 0) {
    n += got;
    if (n == capacity) {
      uint8_t *grown = realloc(data, capacity *= 2);
      if (!grown) {
        free(data);
        return NULL;
      }
      data = grown;
    }
  }
  *length = n;
  return data;
}

static void print_hex(const uint8_t *bytes, size_t n) {
  size_t i;
  if (n == 0) fputs("-", stdout);
  for (i = 0; i < n; i++) printf("%02x", bytes[i]);
}

static int hex_value(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static int decode(size_t max_frame) {
  size_t n, i;
  uint8_t *stream = read_all(&n);
  /* Exactly the capacity: with -fsanitize=address any write past it stops the run. */
  uint8_t *buffer = malloc(max_frame);
  edgecl_decoder decoder;
  edgecl_frame frame;
  if (!stream || !buffer) return 1;
  edgecl_decoder_init(&decoder, buffer, max_frame);
  for (i = 0; i < n; i++) {
    int result = edgecl_decoder_push(&decoder, stream[i], &frame);
    if (decoder.length > max_frame) return 3;
    if (result == EDGECL_FRAME_PENDING) continue;
    if (result == EDGECL_FRAME_READY) {
      printf("ok %u %u ", (unsigned)frame.type, (unsigned)frame.seq);
      print_hex(frame.payload, frame.length);
      putchar('\n');
    } else if (frame.header_trusted) {
      printf("err %d %u %u\n", result, (unsigned)frame.seq, (unsigned)frame.type);
    } else {
      printf("err %d - -\n", result);
    }
  }
  free(stream);
  free(buffer);
  return 0;
}

static int encode(void) {
  size_t n, i = 0;
  uint8_t *input = read_all(&n);
  if (!input) return 1;
  while (i < n) {
    unsigned long type = 0, seq = 0;
    size_t length = 0, wire_length, start;
    uint8_t *payload, *wire;
    while (i < n && input[i] == '\n') i++;
    if (i >= n) break;
    while (i < n && input[i] != ' ') type = type * 10 + (unsigned long)(input[i++] - '0');
    i++;
    while (i < n && input[i] != ' ') seq = seq * 10 + (unsigned long)(input[i++] - '0');
    i++;
    start = i;
    while (i < n && input[i] != '\n') i++;
    payload = malloc((i - start) / 2 + 1);
    if (!payload) return 1;
    if (!(i - start == 1 && input[start] == '-')) {
      size_t k;
      for (k = start; k + 1 < i; k += 2) payload[length++] = (uint8_t)(hex_value(input[k]) * 16 + hex_value(input[k + 1]));
    }
    wire = malloc(EDGECL_FRAME_MAX_WIRE(EDGECL_FRAME_OVERHEAD + length));
    if (!wire) return 1;
    wire_length = edgecl_frame_encode((uint8_t)type, (uint16_t)seq, payload, (uint32_t)length, wire,
                                      EDGECL_FRAME_MAX_WIRE(EDGECL_FRAME_OVERHEAD + length));
    if (wire_length == 0) return 4;
    /* One byte short of what it wrote must be refused, not overrun. */
    if (edgecl_frame_encode((uint8_t)type, (uint16_t)seq, payload, (uint32_t)length, wire, wire_length - 1) != 0) return 5;
    print_hex(wire, wire_length);
    putchar('\n');
    free(payload);
    free(wire);
  }
  free(input);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "decode") == 0) return decode((size_t)strtoul(argv[2], NULL, 10));
  if (argc == 2 && strcmp(argv[1], "encode") == 0) return encode();
  if (argc == 2 && strcmp(argv[1], "crc") == 0) {
    size_t n;
    uint8_t *data = read_all(&n);
    if (!data) return 1;
    printf("%08lx\n", (unsigned long)edgecl_crc32(0, data, n));
    free(data);
    return 0;
  }
  fprintf(stderr, "usage: frame_harness decode MAX | encode | crc\n");
  return 2;
}
