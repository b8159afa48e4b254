/* Little-endian field access for protocol payloads (docs/protocol.md: every multi-byte value is LE). */
#ifndef EDGECL_LE_H
#define EDGECL_LE_H

#include <stdint.h>
#include <string.h>

static inline uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

static inline uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline void put_le16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}

static inline void put_le32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

/* IEEE 754 binary64, as the protocol's f64 fields carry it. */
static inline void put_f64(uint8_t *p, double v) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  put_le32(p, (uint32_t)bits);
  put_le32(p + 4, (uint32_t)(bits >> 32));
}

static inline double get_f64(const uint8_t *p) {
  uint64_t bits = (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
  double v;
  memcpy(&v, &bits, sizeof v);
  return v;
}

#endif
