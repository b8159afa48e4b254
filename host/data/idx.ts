// IDX files (LeCun, Cortes & Burges, http://yann.lecun.com/exdb/mnist/): the format of the full MNIST
// and of Fashion-MNIST. A file is a 4-byte magic number 0x0000TTNN (TT = 0x08: unsigned bytes,
// NN = number of dimensions), NN big-endian 32-bit sizes, then the values, last dimension fastest.
// Images: magic 0x00000803 (count, rows, columns); labels: magic 0x00000801 (count).

import { readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { UsageError } from "../errors.js";
import type { DataSplit, Dataset } from "./dataset.js";

export const IDX_IMAGES_MAGIC = 0x00000803; // 2051: unsigned bytes, 3 dimensions
export const IDX_LABELS_MAGIC = 0x00000801; // 2049: unsigned bytes, 1 dimension

/** The four files of an MNIST-style directory, by role; each may also be gzipped (name + ".gz"). */
export const IDX_FILES = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
} as const;

/** A parsed IDX file: its dimensions and its values. */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

const hex32 = (value: number) => `0x${value.toString(16).padStart(8, "0")}`;
const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;

/**
 * Parses the bytes of one IDX file of unsigned bytes, checking it is exactly what its header says.
 * `file` names the file in error messages; `magic` is the expected magic number.
 */
export function parseIdx(bytes: Uint8Array, file: string, magic: number): IdxArray {
  const ndims = magic & 0xff;
  const kind = ndims === 3 ? "an image file" : ndims === 1 ? "a label file" : `an IDX file of ${ndims} dimensions`;
  if (bytes.length < 4) {
    throw new UsageError(`${file}: truncated: ${bytes.length} bytes, too short for the 4-byte magic number`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = view.getUint32(0, false);
  if (found !== magic) {
    throw new UsageError(
      `${file}: bad magic number ${hex32(found)}, expected ${hex32(magic)} (${kind} of unsigned bytes)`,
    );
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new UsageError(`${file}: truncated: ${bytes.length} bytes, the header alone takes ${headerBytes}`);
  }
  const dims: number[] = [];
  for (let d = 0; d < ndims; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const expectedBytes = dims.reduce((product, dim) => product * dim, 1);
  const dataBytes = bytes.length - headerBytes;
  if (dataBytes < expectedBytes) {
    throw new UsageError(
      `${file}: truncated: the header gives dimensions ${dims.join(" x ")} (${expectedBytes} bytes of data), ` +
        `the file holds ${dataBytes}`,
    );
  }
  if (dataBytes > expectedBytes) {
    throw new UsageError(
      `${file}: ${plural(dataBytes - expectedBytes, "byte")} after the ${plural(expectedBytes, "byte")} ` +
        `of data that the header (dimensions ${dims.join(" x ")}) announces`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/**
 * Reads `dir/name`, or `dir/name.gz` (gunzipped) when the plain file is absent.
 * Returns the bytes and the path actually read.
 */
export function readMaybeGzipped(dir: string, name: string): { bytes: Uint8Array; path: string } {
  const plain = join(dir, name);
  const gzipped = `${plain}.gz`;
  for (const path of [plain, gzipped]) {
    let raw: Buffer;
    try {
      raw = readFileSync(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") continue;
      throw new UsageError(`${path}: cannot read it (${code ?? (error as Error).message})`);
    }
    if (path === plain) return { bytes: raw, path };
    try {
      return { bytes: gunzipSync(raw), path };
    } catch (error) {
      throw new UsageError(`${path}: not a valid gzip file (${(error as Error).message})`);
    }
  }
  throw new UsageError(`missing file: expected ${plain} or ${gzipped} in the data directory ${resolve(dir)}`);
}

/** Reads one images file and one labels file and checks that they agree. */
function readPart(dir: string, imagesName: string, labelsName: string): { images: IdxArray; labels: IdxArray } {
  const imagesFile = readMaybeGzipped(dir, imagesName);
  const labelsFile = readMaybeGzipped(dir, labelsName);
  const images = parseIdx(imagesFile.bytes, imagesFile.path, IDX_IMAGES_MAGIC);
  const labels = parseIdx(labelsFile.bytes, labelsFile.path, IDX_LABELS_MAGIC);
  if (images.dims[0] !== labels.dims[0]) {
    throw new UsageError(
      `count mismatch: ${imagesFile.path} holds ${images.dims[0]} images, ` +
        `${labelsFile.path} holds ${labels.dims[0]} labels`,
    );
  }
  if (images.dims[0] === 0) throw new UsageError(`${imagesFile.path}: holds no images`);
  if (images.dims[1] === 0 || images.dims[2] === 0) {
    throw new UsageError(`${imagesFile.path}: images of ${images.dims[1]} x ${images.dims[2]} pixels hold nothing`);
  }
  return { images, labels };
}

/** Options of {@link loadIdxDir}. */
export interface IdxOptions {
  /** Name of the data set in reports; default the directory's name. */
  name?: string;
}

/**
 * Loads the full MNIST, Fashion-MNIST or any data set in the same four files from `dir`
 * (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte,
 * each optionally gzipped). The files' own train/test split is kept, in file order. Pixels become
 * byte / 255; the number of classes is the largest label + 1. Any missing or malformed file is a
 * UsageError naming the file and the problem.
 */
export function loadIdxDir(dir: string, options: IdxOptions = {}): DataSplit {
  const train = readPart(dir, IDX_FILES.trainImages, IDX_FILES.trainLabels);
  const test = readPart(dir, IDX_FILES.testImages, IDX_FILES.testLabels);
  const [, rows, cols] = train.images.dims;
  if (test.images.dims[1] !== rows || test.images.dims[2] !== cols) {
    throw new UsageError(
      `image size mismatch: ${IDX_FILES.trainImages} has ${rows} x ${cols} pixels, ` +
        `${IDX_FILES.testImages} has ${test.images.dims[1]} x ${test.images.dims[2]}`,
    );
  }
  let classes = 0;
  for (const part of [train, test]) for (const label of part.labels.data) classes = Math.max(classes, label + 1);
  const name = options.name ?? basename(resolve(dir));
  const classNames = Array.from({ length: classes }, (_, c) => String(c));
  const toDataset = (part: { images: IdxArray; labels: IdxArray }): Dataset => {
    const inputs = new Float32Array(part.images.data.length);
    for (let i = 0; i < inputs.length; i++) inputs[i] = part.images.data[i] / 255;
    return { name, inputs, labels: part.labels.data.slice(), shape: [1, rows, cols], classes, classNames };
  };
  return { train: toDataset(train), test: toDataset(test) };
}
