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
  let crc: u32 = 0xffffffff;
  for (let i: usize = 0; i < n; i++) {
    crc ^= <u32>load<u8>(ptr + i);
    for (let b = 0; b < 8; b++) crc = (crc >>> 1) ^ (0xedb88320 & (0 - (crc & 1)));
  }
  return ~crc;
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
