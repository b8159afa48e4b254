/* UTF-8 as RFC 3629 defines it (no overlong forms, no surrogates, nothing above U+10FFFF): the
 * protocol's str and text fields must hold it, and the host decodes them strictly. */
#ifndef EDGECL_UTF8_H
#define EDGECL_UTF8_H

#include <stdint.h>

/* Length (1-4) of the valid UTF-8 sequence at p, or 0 when the bytes there are not one. */
static inline uint32_t utf8_sequence(const uint8_t *p, uint32_t remaining) {
  uint8_t b0 = p[0];
  uint32_t n;
  uint8_t lo = 0x80, hi = 0xBF; /* allowed range of the second byte (RFC 3629 section 4) */
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) n = 2;
  else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else
    return 0;
  if (remaining < n || p[1] < lo || p[1] > hi) return 0;
  for (uint32_t i = 2; i < n; i++)
    if ((p[i] & 0xC0) != 0x80) return 0;
  return n;
}

/* Offset of the first byte that does not start a valid sequence, or length when all are valid. */
static inline uint32_t utf8_valid_prefix(const uint8_t *p, uint32_t length) {
  uint32_t at = 0;
  while (at < length) {
    uint32_t n = utf8_sequence(p + at, length - at);
    if (n == 0) return at;
    at += n;
  }
  return length;
}

#endif
