// Consistent Overhead Byte Stuffing (Cheshire & Baker, IEEE/ACM Trans. Networking 7(2), 1999):
// removes every 0x00 from a frame so that 0x00 can delimit frames on the wire. Each block is a code
// byte n followed by n - 1 data bytes; a block with n < 0xFF stands for its data and a zero, except
// the last block, whose zero is implied by the end of the frame.

/** Largest COBS encoding of `length` bytes (without the delimiter): one code byte per 254 data bytes, plus one. */
export function cobsMaxEncodedLength(length: number): number {
  return length + Math.floor(length / 254) + 1;
}

/**
 * Encodes `data` (without a trailing delimiter). A final full block (code 0xFF) is not followed by an
 * empty block, as in the reference encoder on the COBS Wikipedia page; decoders accept both forms.
 */
export function cobsEncode(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(cobsMaxEncodedLength(data.length));
  let codeAt = 0;
  let write = 1;
  let code = 1;
  for (let i = 0; i < data.length; i++) {
    const byte = data[i];
    if (byte !== 0) {
      out[write++] = byte;
      code++;
    }
    if (byte === 0 || code === 0xff) {
      out[codeAt] = code;
      code = 1;
      codeAt = write;
      // A block that fills up on the last byte needs no empty block after it.
      if (byte === 0 || i < data.length - 1) write++;
    }
  }
  if (codeAt < write) out[codeAt] = code;
  return out.subarray(0, write);
}

/**
 * Decodes a COBS stream one byte at a time into a buffer of fixed capacity, so a sender that never
 * ends its frame cannot make the receiver hold more than `capacity` bytes.
 */
export class CobsDecoder {
  readonly buffer: Uint8Array;
  /** Decoded bytes of the frame in progress. */
  length = 0;
  /** Encoded bytes taken since the last reset. */
  received = 0;
  private remaining = 0;
  private zeroPending = false;

  constructor(capacity: number) {
    this.buffer = new Uint8Array(capacity);
  }

  /** Takes one encoded byte (never the delimiter). Returns false when the decoded frame would exceed the capacity. */
  push(byte: number): boolean {
    this.received++;
    if (this.remaining === 0) {
      // A code byte: the block before it (if any, and if it was not full) ended with a zero.
      if (this.zeroPending && !this.append(0)) return false;
      this.remaining = byte - 1;
      this.zeroPending = byte !== 0xff;
      return true;
    }
    this.remaining--;
    return this.append(byte);
  }

  /** True when the bytes so far end on a block boundary, i.e. a delimiter here ends a well-formed frame. */
  get complete(): boolean {
    return this.remaining === 0;
  }

  /** Data bytes the current block still expects. */
  get missing(): number {
    return this.remaining;
  }

  reset(): void {
    this.length = 0;
    this.received = 0;
    this.remaining = 0;
    this.zeroPending = false;
  }

  private append(byte: number): boolean {
    if (this.length === this.buffer.length) return false;
    this.buffer[this.length++] = byte;
    return true;
  }
}

export type CobsDecodeResult = { ok: Uint8Array } | { error: string };

/** Decodes one encoded frame (without its delimiter). */
export function cobsDecode(encoded: Uint8Array): CobsDecodeResult {
  const decoder = new CobsDecoder(encoded.length);
  for (let i = 0; i < encoded.length; i++) {
    if (encoded[i] === 0) return { error: `expected no zero byte inside a COBS frame, received one at offset ${i}` };
    // Decoded data is never longer than its encoding, so push cannot run out of room.
    decoder.push(encoded[i]);
  }
  if (!decoder.complete) return { error: `expected ${decoder.missing} more byte(s) to finish the last COBS block, received the end of the frame` };
  return { ok: decoder.buffer.slice(0, decoder.length) };
}
