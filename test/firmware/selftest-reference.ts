// Independent references for the firmware self-test transcripts (firmware/src/selftest.c), shared by
// the wasm2c and WAMR suites: bit patterns and expected values worked out in the host's own arithmetic.

export const f32Bits = (x: number): number => {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, x, true);
  return view.getUint32(0, true);
};
export const fromBits = (bits: number): number => {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits, true);
  return view.getFloat32(0, true);
};
export const hex8 = (bits: number) => `0x${bits.toString(16).padStart(8, "0")}`;
export const f32 = (x: number) => `f32 ${hex8(f32Bits(x))}`;
export const i32 = (x: number) => `i32 ${x | 0}`;
export const bytes = (b: Uint8Array) => [...b].map((v) => v.toString(16).padStart(2, "0")).join(" ");
export const le32 = (x: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(x >>> 0);
  return b;
};

// 1 + 2^-12, and -(1 + 2^-11): (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24 is a tie at f32 precision and rounds
// to even, 1 + 2^-11, so the two-rounding result is exactly 0; one rounding (an FMA) would give 2^-24.
export const ONE_PLUS_2M12 = 0x3f800800;
export const MINUS_ONE_PLUS_2M11 = 0xbf801000;
const a = fromBits(ONE_PLUS_2M12);
const c = fromBits(MINUS_ONE_PLUS_2M11);
export const mulAddTwoRoundings = Math.fround(Math.fround(a * a) + c);

export type Outcome = string | RegExp;
export const PAGE = 65536;
/** The fixture's data segment. */
export const data = new Uint8Array([0x01, 0x02, 0x03, 0xfa]);
