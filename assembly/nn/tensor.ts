// A tensor is a view on linear memory: where its values start, a batch of samples of shape H x W x C
// stored channel-last (NHWC, C fastest), and how its values are stored. Views never own memory; the
// model allocates every buffer once and layers read and write through views of it.

/** Storage of a view: f32 values (any format, held in the f32 container) or packed codes. */
export const STORAGE_F32: i32 = 0;
export const STORAGE_U8: i32 = 1;
export const STORAGE_U16: i32 = 2;

@final @unmanaged
export class Tensor {
  data: usize = 0;
  /** Samples the buffer holds (the largest batch); h, w, c: one sample's shape. */
  n: i32 = 0;
  h: i32 = 0;
  w: i32 = 0;
  c: i32 = 0;
  storage: i32 = STORAGE_F32;

  /** Values of one sample. */
  get size(): i32 { return this.h * this.w * this.c; }
  /** Strides in values: sample, row, column (the channel stride is 1). */
  get strideN(): i32 { return this.h * this.w * this.c; }
  get strideH(): i32 { return this.w * this.c; }
  get strideW(): i32 { return this.c; }
  get elementBytes(): i32 { return this.storage == STORAGE_U8 ? 1 : this.storage == STORAGE_U16 ? 2 : 4; }
  /** Bytes of the whole buffer. */
  get bytes(): usize { return <usize>this.n * <usize>this.size * <usize>this.elementBytes; }

  /** Address of value (sample, row, column, channel), for f32 storage. */
  // @ts-ignore: decorator
  @inline at(sample: i32, row: i32, column: i32, channel: i32): usize {
    return this.data + (<usize>(sample * this.strideN + row * this.strideH + column * this.strideW + channel) << 2);
  }
  /** Address of sample `sample`'s first value, for f32 storage. */
  // @ts-ignore: decorator
  @inline sample(sample: i32): usize {
    return this.data + (<usize>(sample * this.strideN) << 2);
  }
}

export function tensorView(data: usize, n: i32, h: i32, w: i32, c: i32): Tensor {
  const t = new Tensor();
  t.data = data;
  t.n = n;
  t.h = h;
  t.w = w;
  t.c = c;
  return t;
}
