// Exact-arithmetic reference for the accelerator suites: values are integers times powers of two (BigInt),
// rounding follows docs/formats.md step by step on those integers, and the GEMM follows the per-MAC rule
// with every product and sum exact before its one rounding. Shares no code with board/accel.

/** sign · mant · 2^exp, mant >= 0. */
export interface Exact {
  negative: boolean;
  mant: bigint;
  exp: number;
}

export interface RefFormat {
  e: number;
  m: number;
  specials: "ieee" | "fn" | "none";
  subnormals: boolean;
  saturate: boolean;
}

export const RNE = 0, RNA = 1, RZ = 2, RU = 3, RD = 4, RO = 5, SR = 6;

const view = new DataView(new ArrayBuffer(8));

/** The exact value of a finite f32 (given by bits). */
export function exactOfF32(bits: number): Exact {
  const negative = bits >>> 31 === 1;
  const field = (bits >>> 23) & 0xff;
  const frac = bits & 0x7fffff;
  if (field === 0) return { negative, mant: BigInt(frac), exp: -149 };
  return { negative, mant: BigInt(frac | 0x800000), exp: field - 150 };
}

export function isSpecialF32(bits: number): boolean {
  return ((bits >>> 23) & 0xff) === 0xff;
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

export function add(a: Exact, b: Exact): Exact {
  const exp = Math.min(a.exp, b.exp);
  const av = (a.negative ? -a.mant : a.mant) << BigInt(a.exp - exp);
  const bv = (b.negative ? -b.mant : b.mant) << BigInt(b.exp - exp);
  const s = av + bv;
  // An exact zero sum is +0 (round to nearest), except -0 + -0.
  if (s === 0n) return { negative: a.mant === 0n && b.mant === 0n && a.negative && b.negative, mant: 0n, exp };
  return { negative: s < 0n, mant: s < 0n ? -s : s, exp };
}

export function mul(a: Exact, b: Exact): Exact {
  return { negative: a.negative !== b.negative, mant: a.mant * b.mant, exp: a.exp + b.exp };
}

/** 2^k as an f64 (k within the f32 range used here). */
const pow2 = (k: number) => 2 ** k;

interface Derived { bias: number; emin: number; emax: number; subUlpExp: number; maxMant: bigint; maxExp: number; saturate: boolean }

function derive(f: RefFormat): Derived {
  const bias = 2 ** (f.e - 1) - 1;
  const emin = 1 - bias;
  const emax = f.specials === "ieee" ? 2 ** f.e - 2 - bias : 2 ** f.e - 1 - bias;
  // Largest finite value as an integer significand of m + 1 bits times 2^(emax - m).
  const top = (1n << BigInt(f.m + 1)) - 1n - (f.specials === "fn" ? 1n : 0n);
  return { bias, emin, emax, subUlpExp: f.subnormals ? emin - f.m : emin, maxMant: top, maxExp: emax - f.m, saturate: f.saturate || f.specials === "none" };
}

/** f32 bits of sign · v · 2^k where the value is known to fit an f32 exactly. */
function f32Bits(negative: boolean, v: bigint, k: number): number {
  view.setFloat32(0, Number(v) * pow2(k));
  return ((negative ? 0x80000000 : 0) | view.getUint32(0)) >>> 0;
}

const QNAN = 0x7fc00000;

/**
 * Rounds an exact nonzero or zero value (zero keeps its sign) to the format, returning f32 bits, by the rules
 * of docs/formats.md. `draw` is the SR word; `srBits` 1..32.
 */
export function roundRef(v: Exact, f: RefFormat, mode: number, srBits: number, draw: number): number {
  const d = derive(f);
  if (v.mant === 0n) return v.negative ? 0x80000000 : 0;
  const top = bitLength(v.mant) - 1 + v.exp; // floor(log2 |v|)
  const ulpExp = top < d.emin ? d.subUlpExp : top - f.m;
  let kept: bigint;
  let rem = 0n;
  let shift = ulpExp - v.exp;
  if (shift <= 0) {
    kept = v.mant << BigInt(-shift);
    shift = 0;
  } else {
    kept = v.mant >> BigInt(shift);
    rem = v.mant - (kept << BigInt(shift));
  }
  // Parity of the kept code: the code's last bit (mantissa lsb; exponent lsb for m = 0 normals).
  let odd: boolean;
  if (kept === 0n) odd = false;
  else if (top >= d.emin && f.m === 0) odd = ((top + d.bias) & 1) === 1;
  else odd = (kept & 1n) === 1n;
  const inexact = rem !== 0n;
  const half = shift > 0 ? 1n << BigInt(shift - 1) : 0n;
  let up: boolean;
  switch (mode) {
    case RNE: up = inexact && (rem > half || (rem === half && odd)); break;
    case RNA: up = inexact && rem >= half; break;
    case RZ: up = false; break;
    case RU: up = inexact && !v.negative; break;
    case RD: up = inexact && v.negative; break;
    case RO: up = inexact && !odd; break;
    case SR: {
      // The discarded fraction as 0.32 fixed point, truncated; top r bits of it and of the draw.
      const fixed = shift >= 32 ? rem >> BigInt(shift - 32) : rem << BigInt(32 - shift);
      const keep = (x: bigint) => x >> BigInt(32 - srBits);
      up = keep(fixed) + keep(BigInt(draw >>> 0)) >= 1n << BigInt(srBits);
      break;
    }
    default: throw new Error(`mode ${mode}`);
  }
  const result = kept + (up ? 1n : 0n);
  // Compare result · 2^ulpExp with maxMant · 2^maxExp exactly.
  const common = Math.min(ulpExp, d.maxExp);
  const over = (result << BigInt(ulpExp - common)) > (d.maxMant << BigInt(d.maxExp - common));
  if (over) {
    const toInfinity = mode === RZ || mode === RO ? false : mode === RU ? !v.negative : mode === RD ? v.negative : true;
    if (!toInfinity || d.saturate) return f32Bits(v.negative, d.maxMant, d.maxExp);
    if (f.specials === "ieee") return ((v.negative ? 0x80000000 : 0) | 0x7f800000) >>> 0;
    return ((v.negative ? 0x80000000 : 0) | QNAN) >>> 0;
  }
  return f32Bits(v.negative, result, ulpExp);
}

/** fmix32 and the stream of docs/formats.md, written again with BigInt-free 32-bit steps. */
export function refDraw(key: number, n: number): number {
  let x = (Number((BigInt(n >>> 0) * 0x9e3779b9n) & 0xffffffffn) ^ key) >>> 0;
  const mul32 = (a: number, b: number) => Number((BigInt(a >>> 0) * BigInt(b)) & 0xffffffffn);
  x = (x ^ (x >>> 16)) >>> 0;
  x = mul32(x, 0x85ebca6b);
  x = (x ^ (x >>> 13)) >>> 0;
  x = mul32(x, 0xc2b2ae35);
  x = (x ^ (x >>> 16)) >>> 0;
  return x;
}

export interface RefJob {
  m: number; n: number; k: number;
  x: Float32Array; ldx: number; transX: boolean;
  w: Float32Array; ldw: number; transW: boolean;
  z: Float32Array; ldz: number; accumulate: boolean;
  mul: RefFormat; mulMode: number; acc: RefFormat; accMode: number;
  fma: boolean; fast: boolean; srBits: number; srKey: number;
}

const bitsOf = (a: Float32Array, i: number) => new Uint32Array(a.buffer, a.byteOffset + i * 4, 1)[0];
const FP32: RefFormat = { e: 8, m: 23, specials: "ieee", subnormals: true, saturate: false };

/** Per-MAC GEMM on finite inputs (no NaN/inf in X, W or Z), writing f32 bits of Z into `out` (M x N, dense). */
export function gemmRef(job: RefJob): Uint32Array {
  const out = new Uint32Array(job.m * job.n);
  for (let i = 0; i < job.m; i++) {
    for (let j = 0; j < job.n; j++) {
      let sumBits = job.accumulate ? bitsOf(job.z, i * job.ldz + j) : 0;
      const finish = (b: number) => (out[i * job.n + j] = b);
      let special = false;
      for (let kk = 0; kk < job.k; kk++) {
        const xb = bitsOf(job.x, job.transX ? kk * job.ldx + i : i * job.ldx + kk);
        const wb = bitsOf(job.w, job.transW ? j * job.ldw + kk : kk * job.ldw + j);
        if (isSpecialF32(sumBits)) { special = true; break; }
        const t = (i * job.n + j) * job.k + kk;
        const product = mul(exactOfF32(xb), exactOfF32(wb));
        if (job.fast) {
          const p = roundRef(product, FP32, RNE, 32, 0);
          if (isSpecialF32(p)) { sumBits = p; special = true; break; }
          sumBits = roundRef(add(exactOfF32(sumBits), exactOfF32(p)), FP32, RNE, 32, 0);
          continue;
        }
        let addend = product;
        if (!job.fma) {
          const p = roundRef(product, job.mul, job.mulMode, job.srBits, job.mulMode === SR ? refDraw(job.srKey, 2 * t) : 0);
          if (isSpecialF32(p)) { sumBits = p; special = true; break; }
          addend = exactOfF32(p);
        }
        const exactSum = add(exactOfF32(sumBits), addend);
        // IEEE 754 6.3: an exact zero sum of terms not both +0 is -0 under rd.
        if (exactSum.mant === 0n && job.accMode === RD && (exactOfF32(sumBits).negative || addend.negative)) exactSum.negative = true;
        sumBits = roundRef(exactSum, job.acc, job.accMode, job.srBits, job.accMode === SR ? refDraw(job.srKey, 2 * t + 1) : 0);
      }
      if (special) throw new Error(`gemmRef: output (${i}, ${j}) left the finite range; keep reference inputs small`);
      if (job.fast) sumBits = roundRef(exactOfF32(sumBits), job.acc, job.accMode, job.srBits, job.accMode === SR ? refDraw(job.srKey, i * job.n + j) : 0);
      finish(sumBits);
    }
  }
  return out;
}
