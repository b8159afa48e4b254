import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { loadIdxDir, parseIdx } from "../../host/data/idx.js";
import { usageError } from "../helpers/usage-error.js";
import { tempDir } from "../helpers/temp-dir.js";

const root = tempDir("idx");

/** An IDX file written by hand: big-endian magic, big-endian dimensions, then the bytes. */
function idx(magic: number, dims: number[], data: number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((dim, d) => header.writeUInt32BE(dim, 4 + 4 * d));
  return Buffer.concat([header, Buffer.from(data)]);
}

// 3 training images and 2 test images of 2 x 3 pixels; labels up to 4 (so 5 classes).
const trainPixels = Array.from({ length: 3 * 6 }, (_, i) => (i * 15) % 256);
const testPixels = [0, 255, 51, 102, 153, 204, 1, 2, 3, 4, 5, 6];
const files = () => ({
  "train-images-idx3-ubyte": idx(0x803, [3, 2, 3], trainPixels),
  "train-labels-idx1-ubyte": idx(0x801, [3], [4, 0, 2]),
  "t10k-images-idx3-ubyte": idx(0x803, [2, 2, 3], testPixels),
  "t10k-labels-idx1-ubyte": idx(0x801, [2], [1, 3]),
});

let dirCount = 0;
/** A fresh directory holding the four files, with `change` applied (Buffer, or null to leave a file out). */
function dataDir(change: Record<string, Buffer | null> = {}, gzip = false): string {
  const dir = join(root, `d${dirCount++}`);
  mkdirSync(dir);
  for (const [name, bytes] of Object.entries({ ...files(), ...change })) {
    if (bytes === null) continue;
    if (gzip) writeFileSync(join(dir, `${name}.gz`), gzipSync(bytes));
    else writeFileSync(join(dir, name), bytes);
  }
  return dir;
}


describe("IDX loader", () => {
  for (const gzip of [false, true]) {
    it(`reads the four files ${gzip ? "gzipped" : "plain"}: pixels byte/255, labels, shape, classes`, () => {
      const { train, test } = loadIdxDir(dataDir({}, gzip), { name: "tiny" });
      expect(train.name).toBe("tiny");
      expect(train.shape).toEqual([1, 2, 3]);
      expect(test.shape).toEqual([1, 2, 3]);
      expect(train.classes).toBe(5);
      expect(test.classes).toBe(5);
      expect(train.classNames).toEqual(["0", "1", "2", "3", "4"]);
      expect([...train.labels]).toEqual([4, 0, 2]);
      expect([...test.labels]).toEqual([1, 3]);
      expect([...train.inputs]).toEqual(trainPixels.map((b) => Math.fround(b / 255)));
      expect([...test.inputs.subarray(0, 6)]).toEqual([0, 1, 0.2, 0.4, 0.6, 0.8].map(Math.fround));
    });
  }

  it("names the data set after its directory by default", () => {
    const dir = dataDir();
    expect(loadIdxDir(dir).train.name).toBe(dir.split("/").pop());
  });

  it("reports a missing file by name", () => {
    const dir = dataDir({ "t10k-labels-idx1-ubyte": null });
    const message = usageError(() => loadIdxDir(dir));
    expect(message).toContain("missing file");
    expect(message).toContain(join(dir, "t10k-labels-idx1-ubyte"));
    expect(message).toContain("t10k-labels-idx1-ubyte.gz");
  });

  it("reports a bad magic number with the value found", () => {
    const dir = dataDir({ "train-images-idx3-ubyte": idx(0x801, [3], [1, 2, 3]) });
    expect(usageError(() => loadIdxDir(dir))).toBe(
      `${join(dir, "train-images-idx3-ubyte")}: bad magic number 0x00000801, expected 0x00000803 (an image file of unsigned bytes)`,
    );
    const labels = dataDir({ "train-labels-idx1-ubyte": idx(0x12345678, [3], [1, 2, 3]) });
    expect(usageError(() => loadIdxDir(labels))).toContain("bad magic number 0x12345678, expected 0x00000801");
  });

  it("reports truncated files: no magic, short header, short data", () => {
    const noMagic = dataDir({ "train-images-idx3-ubyte": Buffer.from([0, 0]) });
    expect(usageError(() => loadIdxDir(noMagic))).toContain("train-images-idx3-ubyte: truncated: 2 bytes");
    const shortHeader = dataDir({ "train-images-idx3-ubyte": idx(0x803, [3, 2], []) });
    expect(usageError(() => loadIdxDir(shortHeader))).toContain("truncated: 12 bytes, the header alone takes 16");
    const shortData = dataDir({ "t10k-images-idx3-ubyte": idx(0x803, [2, 2, 3], testPixels.slice(0, 11)) });
    expect(usageError(() => loadIdxDir(shortData))).toBe(
      `${join(shortData, "t10k-images-idx3-ubyte")}: truncated: the header gives dimensions 2 x 2 x 3 (12 bytes of data), the file holds 11`,
    );
  });

  it("reports bytes beyond what the header announces", () => {
    const dir = dataDir({ "train-labels-idx1-ubyte": idx(0x801, [3], [4, 0, 2, 9]) });
    expect(usageError(() => loadIdxDir(dir))).toContain("train-labels-idx1-ubyte: 1 byte after the 3 bytes of data");
  });

  it("reports a count mismatch between images and labels", () => {
    const dir = dataDir({ "train-labels-idx1-ubyte": idx(0x801, [2], [4, 0]) });
    expect(usageError(() => loadIdxDir(dir))).toBe(
      `count mismatch: ${join(dir, "train-images-idx3-ubyte")} holds 3 images, ${join(dir, "train-labels-idx1-ubyte")} holds 2 labels`,
    );
  });

  it("reports train and test images of different sizes", () => {
    const dir = dataDir({ "t10k-images-idx3-ubyte": idx(0x803, [2, 3, 2], testPixels) });
    expect(usageError(() => loadIdxDir(dir))).toContain("image size mismatch: train-images-idx3-ubyte has 2 x 3 pixels");
  });

  it("reports an empty file set and a corrupt gzip file", () => {
    const empty = dataDir({
      "train-images-idx3-ubyte": idx(0x803, [0, 2, 3], []),
      "train-labels-idx1-ubyte": idx(0x801, [0], []),
    });
    expect(usageError(() => loadIdxDir(empty))).toContain("holds no images");
    const corrupt = dataDir({ "train-images-idx3-ubyte": null });
    writeFileSync(join(corrupt, "train-images-idx3-ubyte.gz"), Buffer.from("not gzip at all"));
    expect(usageError(() => loadIdxDir(corrupt))).toContain("train-images-idx3-ubyte.gz: not a valid gzip file");
  });

  it("reports a data directory that does not exist", () => {
    expect(usageError(() => loadIdxDir(join(root, "nowhere")))).toContain("missing file");
  });

  it("parseIdx returns the dimensions and the data after the header", () => {
    const parsed = parseIdx(idx(0x803, [1, 1, 2], [7, 9]), "x", 0x803);
    expect(parsed.dims).toEqual([1, 1, 2]);
    expect([...parsed.data]).toEqual([7, 9]);
  });
});
