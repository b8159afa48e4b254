// edgecl train, called in process through main(): every bad input is one line on stderr with exit code 2
// (before any training starts), and a good run prints the report and writes the JSON report.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "../../host/data/rng.js";
import { parsePrecision } from "../../host/precision/index.js";
import { edgeclInProcess } from "../helpers/cli.js";

let out = "";
let err = "";

/** `edgecl train` in this process; what it printed goes to `out` and `err`. */
async function train(...args: string[]): Promise<number> {
  const r = await edgeclInProcess(["train", ...args]);
  out = r.stdout;
  err = r.stderr;
  return r.code;
}

const dir = mkdtempSync(join(tmpdir(), "edgecl-train-"));

/** A CSV table: two features, three well-separated classes. */
function writeCsv(): string {
  const rng = Rng.forStream(3, "cli csv");
  const rows = ["x,y,kind"];
  for (let i = 0; i < 90; i++) {
    const c = i % 3;
    rows.push(`${(c * 3 + rng.nextFloat()).toFixed(3)},${(rng.nextFloat() - c).toFixed(3)},${["walk", "run", "sit"][c]}`);
  }
  const file = join(dir, "sensors.csv");
  writeFileSync(file, rows.join("\n") + "\n");
  return file;
}

/** The four IDX files of a tiny 4 x 4 image set with two classes. */
function writeIdx(): string {
  const idxDir = mkdtempSync(join(dir, "idx-"));
  const images = (n: number) => {
    const bytes = new Uint8Array(16 + n * 16);
    new DataView(bytes.buffer).setUint32(0, 0x803);
    new DataView(bytes.buffer).setUint32(4, n);
    new DataView(bytes.buffer).setUint32(8, 4);
    new DataView(bytes.buffer).setUint32(12, 4);
    for (let i = 0; i < n; i++) for (let p = 0; p < 16; p++) bytes[16 + i * 16 + p] = (i % 2 === 0) === p < 8 ? 255 : 0;
    return bytes;
  };
  const labels = (n: number) => {
    const bytes = new Uint8Array(8 + n);
    new DataView(bytes.buffer).setUint32(0, 0x801);
    new DataView(bytes.buffer).setUint32(4, n);
    for (let i = 0; i < n; i++) bytes[8 + i] = i % 2;
    return bytes;
  };
  writeFileSync(join(idxDir, "train-images-idx3-ubyte"), images(40));
  writeFileSync(join(idxDir, "train-labels-idx1-ubyte"), labels(40));
  writeFileSync(join(idxDir, "t10k-images-idx3-ubyte"), images(10));
  writeFileSync(join(idxDir, "t10k-labels-idx1-ubyte"), labels(10));
  return idxDir;
}

describe("edgecl train: bad input", () => {
  const csv = writeCsv();
  it.each([
    [["--precision", "fp9"], ['received "fp9"', "fp8-mixed"]],
    [["--precision", "fp8-mixed,acc=fp16:sr:99"], ['"acc=fp16:sr:99"', "SR random bits from 1 to 32"]],
    [["--precision", "weight=mxfp4"], ["a scalar format for weight"]],
    [["--model", "mlp:0"], ["a hidden width from 1 to 1048576", 'received "0"']],
    [["--model", "transformer"], ['received "transformer"', "mlp:<width>"]],
    [["--model", "cnn:8c3,p2,p2,p2,p2,p2"], ["pool 2x2 does not fit its 1x1 input"]],
    [["--epochs", "0"], ["--epochs to be an integer from 1 to 100000", 'received "0"']],
    [["--epochs", "two"], ["--epochs to be an integer", 'received "two"']],
    [["--epochs", "1.5"], ["--epochs to be an integer", 'received "1.5"']],
    [["--batch", "0"], ["--batch to be an integer from 1 to 65536"]],
    [["--batch", "100000"], ["--batch to be an integer from 1 to 65536"]],
    [["--optimizer", "rmsprop"], ["--optimizer to be one of adam, sgd", 'received "rmsprop"']],
    [["--lr", "-0.1"], ["--lr to be a learning rate above 0", 'received "-0.1"']],
    [["--lr", "fast"], ["--lr to be a learning rate", 'received "fast"']],
    [["--lr", "0"], ["--lr to be a learning rate above 0"]],
    [["--momentum", "0.9"], ["--momentum goes with --optimizer sgd, received --optimizer adam"]],
    [["--optimizer", "sgd", "--momentum", "1"], ["--momentum to be a momentum in [0, 1)", 'received "1"']],
    [["--weight-decay", "-1"], ["--weight-decay to be a weight decay in [0, 1]"]],
    [["--seed", "-1"], ["--seed to be an integer from 0 to 9007199254740991", 'received "-1"']],
    [["--seed", "9007199254740992"], ["--seed to be an integer from 0 to 9007199254740991"]],
    [["--dataset", "cifar"], ["a data set: mnist, fashion, csv", 'received "cifar"']],
    [["--dataset", "fashion"], ["--dataset fashion needs --data-dir"]],
    [["--dataset", "csv"], ["--dataset csv needs --csv <file> and --label <column>"]],
    [["--csv", csv], ["needs --label <column>"]],
    [["--csv", csv, "--label", "speed"], ["speed"]],
    [["--csv", join(dir, "missing.csv"), "--label", "kind"], ["missing.csv"]],
    [["--label", "kind"], ["--csv and --label go with --dataset csv, received --dataset mnist"]],
    [["--csv", csv, "--label", "kind", "--data-dir", dir], ["--data-dir goes with --dataset mnist or fashion"]],
    [["--data-dir", join(dir, "nowhere")], ["missing file", "train-images-idx3-ubyte"]],
    [["--frobnicate"], ["unknown option '--frobnicate'"]],
    [["--epochs"], ["argument missing"]],
  ])("%j", async (args, parts) => {
    expect(await train(...args)).toBe(2);
    for (const part of parts) expect(err).toContain(part);
    expect(out).toBe("");
  });

  it("a JSON path through a file is refused before any training (exit 2); missing folders are created", async () => {
    const file = join(dir, "a-file");
    writeFileSync(file, "");
    expect(await train("--csv", csv, "--label", "kind", "--model", "mlp:4", "--epochs", "1", "--json", join(file, "r.json"))).toBe(2);
    expect(err).toContain(`received a path through the file ${file}`);
    expect(out).toBe("");
    const nested = join(dir, "no", "such", "dir", "r.json");
    expect(await train("--csv", csv, "--label", "kind", "--model", "mlp:4", "--epochs", "1", "--json", nested)).toBe(0);
    expect(JSON.parse(readFileSync(nested, "utf8")).config).toBeDefined();
  });
});

describe("edgecl train: runs", () => {
  it("trains on a CSV table and writes a JSON report with every resolved setting", async () => {
    const json = join(dir, "csv-report.json");
    const code = await train("--csv", writeCsv(), "--label", "kind", "--model", "mlp:8", "--precision", "fp8-mixed,gemm=fast", "--epochs", "10", "--batch", "16", "--lr", "0.05", "--seed", "9", "--json", json);
    expect(err.split("\n").filter((l) => l.startsWith("edgecl:"))).toEqual([]);
    expect(code).toBe(0);
    const report = JSON.parse(readFileSync(json, "utf8"));
    expect(report.config).toMatchObject({
      dataset: "sensors",
      trainSamples: 72,
      testSamples: 18,
      inputShape: [2],
      classes: 3,
      model: "mlp:8",
      gemm: "fast",
      precisionShort: "fp8-mixed,gemm=fast",
      epochs: 10,
      batch: 16,
      seed: 9,
      optimizer: { name: "adam", lr: 0.05, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, momentum: 0, weightDecay: 0 },
    });
    expect(report.config.precision).toEqual(parsePrecision("fp8-mixed,gemm=fast"));
    expect(report.config.params).toBe((2 + 1) * 8 + (8 + 1) * 3);
    expect(report.loss).toHaveLength(10);
    expect(report.loss[9]).toBeLessThan(report.loss[0]);
    expect(report.testAccuracy).toBeGreaterThanOrEqual(0);
    expect(report.testAccuracy).toBeLessThanOrEqual(1);
    expect(report.testAccuracy).toBeGreaterThan(0.9); // three separated clusters
    // Forward products are e4m3 activations x e4m3 weights; backward brings in the e5m2 errors.
    expect(Object.keys(report.macs).sort()).toEqual(["e4m3 x e4m3 -> fp16", "e4m3 x e5m2 -> fp16", "e5m2 x e4m3 -> fp16"]);
    expect(report.memory.modelBytes).toBe(report.config.params);
    expect(report.memory.masterBytes).toBe(4 * report.config.params);
    expect(report.memory.optimizerBytes).toBe(8 * report.config.params);
    expect(report.memory.peakLinearMemoryBytes).toBeGreaterThan(0);
    expect(out).toContain("test accuracy:");
    expect(out).toContain("gemm fast");
    expect(out).toContain("e4m3 x e4m3 -> fp16");
    expect(out).toContain("model (weights in e4m3):");
    expect(out).toContain("peak linear memory:");
    expect(out).toMatch(/loss curve: [▁▂▃▄▅▆▇█]{10}\n/);
  });

  it("the same seed gives the same report figures", async () => {
    const run = async (name: string) => {
      const json = join(dir, name);
      expect(await train("--csv", writeCsv(), "--label", "kind", "--model", "mlp:8", "--precision", "fp8-pure", "--epochs", "2", "--batch", "8", "--seed", "4", "--json", json)).toBe(0);
      const { timing, ...rest } = JSON.parse(readFileSync(json, "utf8"));
      return rest;
    };
    expect(await run("a.json")).toEqual(await run("b.json"));
  });

  it("trains on IDX files from --data-dir", async () => {
    const json = join(dir, "idx-report.json");
    expect(await train("--data-dir", writeIdx(), "--model", "cnn:2c3,p2", "--epochs", "2", "--batch", "8", "--lr", "0.02", "--scalar", "--json", json)).toBe(0);
    const report = JSON.parse(readFileSync(json, "utf8"));
    expect(report.config).toMatchObject({ dataset: "mnist", trainSamples: 40, testSamples: 10, inputShape: [1, 4, 4], classes: 2, simd: false });
    expect(report.macs).toEqual({ "fp32 x fp32 -> fp32": report.macsByPass.forward + report.macsByPass.evaluation + report.macsByPass.backwardData + report.macsByPass.backwardWeight });
    expect(report.testAccuracy).toBe(1); // two classes of opposite halves
  });
});
