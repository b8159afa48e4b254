// Plain-loop GEMM with per-MAC rounding, interface-compatible with assembly/arith/mac.ts.
import { Format, roundValue, drawAt } from "../arith";

@final @unmanaged
export class MacSpec {
  mul: Format | null = null;
  mulMode: i32 = 0;
  acc: Format | null = null;
  accMode: i32 = 0;
  fma: bool = false;
  fast: bool = false;
  srBits: i32 = 32;
  srKey: u32 = 0;
}

export function macSpecNew(): MacSpec {
  const p = heap.alloc(offsetof<MacSpec>());
  memory.fill(p, 0, offsetof<MacSpec>());
  const s = changetype<MacSpec>(p);
  s.srBits = 32;
  return s;
}

export function gemm(m: i32, n: i32, k: i32, x: usize, ldx: i32, transX: bool, w: usize, ldw: i32, transW: bool,
                     z: usize, ldz: i32, accumulate: bool, spec: MacSpec): void {
  const mul = spec.mul, acc = spec.acc;
  if (mul == null && acc == null) { plain(m, n, k, x, ldx, transX, w, ldw, transW, z, ldz, accumulate); return; }
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const zp = z + ((<usize>i * ldz + j) << 2);
      let sum: f32 = accumulate ? load<f32>(zp) : 0;
      for (let kk = 0; kk < k; kk++) {
        const xv = load<f32>(x + ((transX ? <usize>kk * ldx + i : <usize>i * ldx + kk) << 2));
        const wv = load<f32>(w + ((transW ? <usize>j * ldw + kk : <usize>kk * ldw + j) << 2));
        const pos = <u32>(2 * ((i * n + j) * k + kk));
        if (spec.fast || (mul == null && acc == null)) { sum += xv * wv; continue; }
        if (spec.fma) {
          const fused = <f32>(<f64>sum + <f64>xv * <f64>wv);
          sum = acc == null ? fused : roundValue(fused, acc!, spec.accMode, spec.srBits, drawAt(spec.srKey, pos + 1));
          continue;
        }
        let p = xv * wv;
        if (mul != null) p = roundValue(p, mul!, spec.mulMode, spec.srBits, drawAt(spec.srKey, pos));
        sum += p;
        if (acc != null) sum = roundValue(sum, acc!, spec.accMode, spec.srBits, drawAt(spec.srKey, pos + 1));
      }
      if (spec.fast && acc != null) sum = roundValue(sum, acc!, spec.accMode, spec.srBits, drawAt(spec.srKey, <u32>(i * n + j)));
      store<f32>(zp, sum);
    }
  }
}

function plain(m: i32, n: i32, k: i32, x: usize, ldx: i32, transX: bool, w: usize, ldw: i32, transW: bool,
               z: usize, ldz: i32, accumulate: bool): void {
  for (let i = 0; i < m; i++) {
    const zr = z + (<usize>i * ldz << 2);
    if (!accumulate) memory.fill(zr, 0, <usize>n << 2);
    for (let kk = 0; kk < k; kk++) {
      const xv = load<f32>(x + ((transX ? <usize>kk * ldx + i : <usize>i * ldx + kk) << 2));
      if (transW) {
        for (let j = 0; j < n; j++) store<f32>(zr + (<usize>j << 2), load<f32>(zr + (<usize>j << 2)) + xv * load<f32>(w + ((<usize>j * ldw + kk) << 2)));
      } else {
        const wr = w + (<usize>kk * ldw << 2);
        for (let j = 0; j < n; j++) store<f32>(zr + (<usize>j << 2), load<f32>(zr + (<usize>j << 2)) + xv * load<f32>(wr + (<usize>j << 2)));
      }
    }
  }
}
