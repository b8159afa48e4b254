// CRC-32 as IEEE 802.3 defines it (reflected, polynomial 0x04C11DB7 -> 0xEDB88320 reflected,
// init and final XOR 0xFFFFFFFF): the same function as zlib's crc32 and the firmware's crc32.c.
import { CRC32_POLY_REFLECTED } from "./generated.js";

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? (c >>> 1) ^ CRC32_POLY_REFLECTED : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * CRC-32 of `bytes`. Pass the result of an earlier call as `previous` to continue over more bytes,
 * as zlib's crc32(data, value) does; start from 0.
 */
export function crc32(bytes: Uint8Array, previous = 0): number {
  let c = ~previous >>> 0;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
