// The learner's state image (CHECKPOINT's reply, RESTORE's payload): a header, every state region of
// the deployment in a fixed order, then a CRC-32 of all that precedes it. An image restores only into
// the deployment it came from: the header carries the CRC-32 of that deployment's config blobs.
//   u32 magic "ECLS" | u32 version | u32 config CRC | u32 bytes of regions | regions | u32 CRC-32

export const IMAGE_MAGIC: u32 = 0x534c4345; // "ECLS" little-endian
export const IMAGE_VERSION: u32 = 1;
export const IMAGE_HEADER: usize = 16;

const MAX_REGIONS: i32 = 32;
const regions = memory.data(MAX_REGIONS * 8);
let regionCount: i32 = 0;

export function regionsReset(): void {
  regionCount = 0;
}

export function addRegion(ptr: usize, bytes: usize): void {
  if (bytes == 0 || ptr == 0) return;
  store<u32>(regions + (<usize>regionCount << 3), <u32>ptr);
  store<u32>(regions + (<usize>regionCount << 3) + 4, <u32>bytes);
  regionCount++;
}

export function regionBytes(): usize {
  let total: usize = 0;
  for (let i = 0; i < regionCount; i++) total += <usize>load<u32>(regions + (<usize>i << 3) + 4);
  return total;
}

export function imageBytes(): usize {
  return IMAGE_HEADER + regionBytes() + 4;
}

/** CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), bit by bit: no table to keep in memory. */
export function crc32(ptr: usize, n: usize): u32 {
  return ~crc32Update(0xffffffff, ptr, n);
}

/** The CRC-32 register after n more bytes (start from 0xffffffff; the CRC is its complement). */
function crc32Update(crc: u32, ptr: usize, n: usize): u32 {
  for (let i: usize = 0; i < n; i++) {
    crc ^= <u32>load<u8>(ptr + i);
    for (let b = 0; b < 8; b++) crc = (crc >>> 1) ^ (0xedb88320 & (0 - (crc & 1)));
  }
  return crc;
}

// ---- The image in pieces ----
// CHECKPOINT and RESTORE pass the image between the board and this module IMAGE_PIECE_SIZE bytes at a
// time (checkpoint.ts), so no copy of the whole image is ever made in linear memory: a piece is read
// out of, or written into, the header, the regions in place and the CRC.

/** The header and the trailing CRC of the image being read or written. */
const ends = memory.data(IMAGE_HEADER + 4);

/** Starts reading the image out: its header and CRC, computed over the regions in place. */
export function imageOpen(configCrc: u32): void {
  store<u32>(ends, IMAGE_MAGIC);
  store<u32>(ends + 4, IMAGE_VERSION);
  store<u32>(ends + 8, configCrc);
  store<u32>(ends + 12, <u32>regionBytes());
  let crc = crc32Update(0xffffffff, ends, IMAGE_HEADER);
  for (let i = 0; i < regionCount; i++) crc = crc32Update(crc, <usize>load<u32>(regions + (<usize>i << 3)), <usize>load<u32>(regions + (<usize>i << 3) + 4));
  store<u32>(ends + IMAGE_HEADER, ~crc);
}

/**
 * Copies image bytes [at, at + n) to `mem` (out), or from `mem` into the regions (in: the header's and
 * the CRC's bytes are skipped: restore checks them, imageCheck).
 */
export function imagePiece(at: usize, mem: usize, n: usize, out: bool): void {
  let start: usize = 0;
  for (let i = -1; i <= regionCount; i++) {
    let ptr: usize, bytes: usize;
    if (i < 0) { ptr = ends; bytes = IMAGE_HEADER; }
    else if (i == regionCount) { ptr = ends + IMAGE_HEADER; bytes = 4; }
    else { ptr = <usize>load<u32>(regions + (<usize>i << 3)); bytes = <usize>load<u32>(regions + (<usize>i << 3) + 4); }
    const from = max(at, start), to = min(at + n, start + bytes);
    if (from < to) {
      if (out) memory.copy(mem + (from - at), ptr + (from - start), to - from);
      else if (i >= 0 && i < regionCount) memory.copy(ptr + (from - start), mem + (from - at), to - from);
    }
    start += bytes;
  }
}

/** A check of an image arriving in pieces: its header first, then a CRC over every byte but the last four. */
let checkCrc: u32 = 0;
let checkStored: u32 = 0;

/** Checks the image's bytes [at, at + n) at `src`, which follow the ones checked before; IMAGE_OK or what is wrong. */
export function imageCheckPiece(at: usize, src: usize, n: usize, configCrc: u32): i32 {
  const total = imageBytes();
  if (at == 0) {
    if (n < IMAGE_HEADER) return IMAGE_SHORT;
    if (load<u32>(src) != IMAGE_MAGIC) return IMAGE_MAGIC_WRONG;
    if (load<u32>(src + 4) != IMAGE_VERSION) return IMAGE_VERSION_WRONG;
    if (load<u32>(src + 8) != configCrc) return IMAGE_OTHER_DEPLOYMENT;
    if (<usize>load<u32>(src + 12) != regionBytes()) return IMAGE_SIZE_WRONG;
    checkCrc = 0xffffffff;
    checkStored = 0;
  }
  if (at + n > total) return IMAGE_SIZE_WRONG;
  const body = total - 4;
  checkCrc = crc32Update(checkCrc, src, at < body ? min(n, body - at) : 0);
  // The stored CRC, little-endian, byte by byte: a piece may end inside it.
  for (let p = max(at, body); p < at + n; p++) checkStored |= <u32>load<u8>(src + (p - at)) << (<u32>(p - body) << 3);
  if (at + n == total && checkStored != ~checkCrc) return IMAGE_CRC_WRONG;
  return IMAGE_OK;
}

/** Copies the regions, in order, into the image body at `body` (toImage) or out of it; returns the body's end. */
function copyRegions(body: usize, toImage: bool): usize {
  let at = body;
  for (let i = 0; i < regionCount; i++) {
    const ptr = <usize>load<u32>(regions + (<usize>i << 3));
    const bytes = <usize>load<u32>(regions + (<usize>i << 3) + 4);
    if (toImage) memory.copy(at, ptr, bytes);
    else memory.copy(ptr, at, bytes);
    at += bytes;
  }
  return at;
}

/** Writes the image at dst (imageBytes() bytes). */
export function writeImage(dst: usize, configCrc: u32): void {
  store<u32>(dst, IMAGE_MAGIC);
  store<u32>(dst + 4, IMAGE_VERSION);
  store<u32>(dst + 8, configCrc);
  store<u32>(dst + 12, <u32>regionBytes());
  const end = copyRegions(dst + IMAGE_HEADER, true);
  store<u32>(end, crc32(dst, end - dst));
}

export const IMAGE_OK: i32 = 0;
export const IMAGE_SHORT: i32 = 1;
export const IMAGE_MAGIC_WRONG: i32 = 2;
export const IMAGE_VERSION_WRONG: i32 = 3;
export const IMAGE_OTHER_DEPLOYMENT: i32 = 4;
export const IMAGE_SIZE_WRONG: i32 = 5;
export const IMAGE_CRC_WRONG: i32 = 6;

/** Checks an image of n bytes without changing anything. */
export function checkImage(src: usize, n: usize, configCrc: u32): i32 {
  if (n < IMAGE_HEADER + 4) return IMAGE_SHORT;
  if (load<u32>(src) != IMAGE_MAGIC) return IMAGE_MAGIC_WRONG;
  if (load<u32>(src + 4) != IMAGE_VERSION) return IMAGE_VERSION_WRONG;
  if (load<u32>(src + 8) != configCrc) return IMAGE_OTHER_DEPLOYMENT;
  if (<usize>load<u32>(src + 12) != regionBytes() || n != imageBytes()) return IMAGE_SIZE_WRONG;
  if (load<u32>(src + n - 4) != crc32(src, n - 4)) return IMAGE_CRC_WRONG;
  return IMAGE_OK;
}

/** Copies a checked image's regions into place. */
export function loadImage(src: usize): void {
  copyRegions(src + IMAGE_HEADER, false);
}
