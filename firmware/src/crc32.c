/* CRC-32 (IEEE 802.3): reflected, polynomial 0xEDB88320, init and final XOR 0xFFFFFFFF. A 16-entry
 * table (64 bytes of flash) handles four bits per step: small enough for any board. */
#include "frame.h"

/* crc32_nibble[i] = i shifted through four rounds of the reflected polynomial. */
static const uint32_t crc32_nibble[16] = {
    0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u, 0x4DB26158u, 0x5005713Cu,
    0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu, 0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
};

uint32_t edgecl_crc32(uint32_t crc, const uint8_t *data, size_t length) {
  size_t i;
  crc = ~crc;
  for (i = 0; i < length; i++) {
    crc ^= data[i];
    crc = (crc >> 4) ^ crc32_nibble[crc & 0x0Fu];
    crc = (crc >> 4) ^ crc32_nibble[crc & 0x0Fu];
  }
  return ~crc;
}
