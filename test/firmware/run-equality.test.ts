// The end-to-end check: the same continual-learning run (split-mnist, task scenario, 2
// experiences, a small MLP, fp8-mixed with stochastic rounding in the accumulator) on the RISC-V
// firmware under QEMU and on the simulated board gives the same JSON report, bit for bit: every
// accuracy and loss, the device's checksum of the final weights, MACs, the accelerator's jobs and
// cycles, and the energy estimate. The reference is the simulated board (board/sim, V8), a separate
// implementation of the board side; what may differ is listed in `boardSpecific` (same-report.ts) with the reason, and
// the linear-memory figures are held to the simulated board running the firmware's module. Then the
// CPU path's energy for each GEMM mode a configuration can select, against MACs x instructions per MAC x
// pJ per instruction worked out here.
// Needs the Debian packages of the firmware toolchain; each image is built once (build/firmware/).
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inlineBoard, runContinual } from "../../host/cl/run.js";
import { expectValidReport } from "../helpers/report-schema.js";
import { BoardClient } from "../../host/client/client.js";
import { loadBoard } from "../../host/manifest/manifest.js";
import { modulePath } from "../../host/device/module.js";
import { buildQemuBoardImage, openQemuBoard, requireToolchain } from "../../host/firmware/index.js";
import { smallRun } from "../helpers/run-options.js";
import { boardSpecific, expectSameReport } from "./same-report.js";
import type { Report } from "../../host/report/types.js";
import { dataPayload, deployConfig, evalPayload, trainPayload } from "../helpers/learner.js";
import { CL_REPLAY_BATCH, CL_WORD_COUNT } from "../../assembly/cl/abi.js";

// WAMR is in no package registry: its board joins where WAMR_ROOT names a WAMR source tree (firmware/README.md).
const WAMR = Boolean(process.env.WAMR_ROOT);
if (!WAMR) console.warn("test/firmware/run-equality.test.ts: qemu-rv32-wamr left out: needs WAMR_ROOT=<a WAMR source tree> (firmware/README.md, section WAMR)");
const PAIRS: (readonly [string, string, "wasm2c" | "wamr"])[] = [
  ["qemu-rv32", "sim", "wasm2c"],
  ["qemu-rv32-noaccel", "sim-noaccel", "wasm2c"],
  ...(WAMR ? [["qemu-rv32-wamr", "sim", "wamr"] as const] : []),
];

// The smallest run that still trains something: 10 Adam steps of 16 samples per experience on a
// 784-16-(2x2) MLP reach 90% or more on both tasks.
const RUN = smallRun();

let setupError: unknown;
let dir = "";

/** A simulated board like `id` that runs the scalar module (device.wasm), as the firmware does: a manifest file in `dir`. */
function scalarSim(id: string): string {
  const source = JSON.parse(readFileSync(loadBoard(id).file, "utf8"));
  const file = join(dir, `${id}-scalar.json`);
  writeFileSync(file, JSON.stringify({ ...source, runtime: { ...source.runtime, simd: false } }));
  return file;
}

beforeAll(async () => {
  try {
    dir = mkdtempSync(join(tmpdir(), "edgecl-run-equality-"));
    requireToolchain();
    // Both images at once: make brings each up to date (a no-op when it is).
    await Promise.all(PAIRS.map(([qemu]) => buildQemuBoardImage(loadBoard(qemu))));
  } catch (err) {
    setupError = err;
  }
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Every linear-memory figure of a report but the board's limit. */
const memoryFigures = (report: Report) => ({
  modelBytes: report.memory.modelBytes,
  peak: report.memory.peakLinearMemoryBytes,
  phases: report.telemetry.map((t) => [t.train.memoryUsedBytes, t.train.memoryPeakBytes, t.eval.memoryUsedBytes, t.eval.memoryPeakBytes]),
});

describe("split-mnist (task, 2 experiences, mlp:16, fp8-mixed with sr): the firmware's report equals the simulated board's", () => {
  test.each(PAIRS)("%s against %s (%s)", async (qemu, sim, runtime) => {
    if (setupError) throw setupError;
    const onQemu = await runContinual({ ...RUN, board: qemu });
    const onSim = await runContinual({ ...RUN, board: sim });
    expect(onQemu.board).toMatchObject({ id: qemu, runtime });
    // The report names the firmware image that ran: its SHA-256, as sha256sum computes it from the file.
    const firmware = onQemu.provenance!.firmware!;
    expect(firmware.runtime).toBe(runtime);
    expect(firmware.sha256).toBe(execFileSync("sha256sum", [firmware.elf], { encoding: "utf8" }).split(" ")[0]);
    expect(onSim.provenance!.firmware).toBeNull();
    expectValidReport(onQemu);
    expect(onSim.board).toMatchObject({ id: sim, runtime: "v8" });

    // The run trained: both tasks well above chance (50%) after their experience.
    expect(onSim.status.complete).toBe(true);
    expect(onSim.accuracy[1][1]).toBeGreaterThanOrEqual(0.8);
    // The precision spec rounds the accumulator stochastically, so the stream of random bits is part of what is compared.
    expect(onSim.config.precisionSpec).toMatch(/acc=fp16:sr/);

    expectSameReport(onQemu, onSim);

    // The simulated board running device.wasm, the module the firmware runs: the memory figures too.
    const onScalar = await runContinual({ ...RUN, board: scalarSim(sim) });
    expect(onScalar.config.module).toBe("device.wasm");
    expect(onQemu.config.module).toBe("device.wasm");
    expect(boardSpecific(onScalar)).toEqual(boardSpecific(onSim));
    expect(memoryFigures(onQemu)).toEqual(memoryFigures(onScalar));
  }, 600_000);
});

describe("every strategy family: the firmware's report equals the simulated board's", () => {
  // One strategy or more per family (docs/strategies.md): rehearsal (a replay buffer, A-GEM's projected
  // gradients, latent replay), regularisation (EWC's Fisher penalty, LwF's distillation) and parameter
  // isolation (PackNet's pruning masks), in the class scenario where they differ most from naive.
  const boards = WAMR ? ["qemu-rv32", "qemu-rv32-wamr"] : ["qemu-rv32"];
  const cases = ["replay", "agem", "latent-replay", "ewc", "lwf", "packnet"].flatMap((strategy) => boards.map((board) => [strategy, board] as const));
  test.each(cases)("%s on %s", async (strategy, board) => {
    if (setupError) throw setupError;
    const run = { ...RUN, strategy, scenario: "class" as const };
    const onQemu = await runContinual({ ...run, board });
    const onSim = await runContinual({ ...run, board: "sim" });
    expect(onSim.status.complete).toBe(true);
    expect(onQemu.accuracy).toEqual(onSim.accuracy);
    expect(onQemu.modelChecksum).toBe(onSim.modelChecksum);
    expect(onQemu.energy).toEqual(onSim.energy);
    expect(boardSpecific(onQemu)).toEqual(boardSpecific(onSim));
  }, 600_000);
});

describe("precision switched on the device mid-run (docs/precision.md, Policies)", () => {
  test.each([
    // CPT's cycle over the weights' and activations' widths every 4 steps, and a layer of its own
    // format: every switch re-encodes the weights.
    ["cyclic", { ...RUN, precision: "fp8-mixed,layer2.acc=fp32", precisionPolicy: "cyclic:6-8:4", iterations: 6 }],
    // Each layer's roles moved by its own numeric health.
    ["adaptive", { ...RUN, precisionPolicy: "adaptive:activation+error+gradient:fp16>fp32:underflow=0.003,range=0.62,widen=1,narrow=3", iterations: 12 }],
    // Each layer's weight format moved by its swamped updates: a move re-encodes the layer's weights.
    ["adaptive on weights", { ...RUN, precision: "fp8-pure", precisionPolicy: "adaptive:weight:bf16>fp32:swamp=0.7,widen=2,narrow=2", iterations: 12 }],
    // The loss-window drift detector, where experience 1's new classes raise the loss.
    ["boundary with drift", { ...RUN, scenario: "class" as const, precisionPolicy: "boundary:3@acc=fp32,weight=fp16:drift=4,1", iterations: 10 }],
  ])("%s: qemu-rv32 gives the simulated board's report, switches, timeline and health included", async (_, run) => {
    if (setupError) throw setupError;
    const onQemu = await runContinual({ ...run, board: "qemu-rv32" });
    const onSim = await runContinual({ ...run, board: "sim" });
    expect(onSim.telemetry.reduce((n, t) => n + t.precision!.switches, 0)).toBeGreaterThan(0);
    expect(onQemu.telemetry.map((t) => [t.precision, t.train.health])).toEqual(onSim.telemetry.map((t) => [t.precision, t.train.health]));
    expect(onQemu.modelChecksum).toBe(onSim.modelChecksum);
    expect(boardSpecific(onQemu)).toEqual(boardSpecific(onSim));
  }, 240_000);
});

describe("numeric health (--health): the firmware's TELEMETRY health list gives the simulated board's report", () => {
  test("qemu-rv32 against sim: every health row of every phase, and everything else, bit for bit", async () => {
    if (setupError) throw setupError;
    const onQemu = await runContinual({ ...RUN, health: true, board: "qemu-rv32" });
    const onSim = await runContinual({ ...RUN, health: true, board: "sim" });
    expect(onSim.telemetry[0].train.health!.length).toBeGreaterThan(0);
    expect(onQemu.telemetry.map((t) => [t.train.health, t.eval.health])).toEqual(onSim.telemetry.map((t) => [t.train.health, t.eval.health]));
    expect(boardSpecific(onQemu)).toEqual(boardSpecific(onSim));
  }, 240_000);
});

describe("the CPU path's energy follows the GEMM mode of the deployment's configuration", () => {
  // Instructions per MAC by mode: docs/energy.md's defaults, which qemu-rv32-noaccel's manifest takes.
  const cases = [
    ["fp32", "fast: fp32 products and sums, not fused", 6],
    ["fp8-mixed", "exact, the sums rounded stochastically", 90],
    ["fp8-mixed,acc=fp16:rne", "exact, deterministic rounding", 60],
    ["fp8-mixed,mul=fp16:sr,acc=fp16:rne,fma=on", "exact: fused, so the products' sr does not apply", 60],
    ["fp8-mixed,gemm=fast", "fast: gemm=fast", 6],
  ] as const;

  test("qemu-rv32-noaccel charges MACs x instructions per MAC x 70 pJ, as the simulated board does", async () => {
    if (setupError) throw setupError;
    const manifest = loadBoard("qemu-rv32-noaccel");
    const qemu = new BoardClient(await openQemuBoard(manifest), { board: manifest.id, timeoutMs: 60_000 });
    const sim = inlineBoard(loadBoard("sim-noaccel"));
    const module = new Uint8Array(readFileSync(modulePath()));
    try {
      for (const board of [qemu, sim]) await board.hello();
      for (const [precision, mode, perMac] of cases) {
        const readings = [];
        for (const board of [qemu, sim]) {
          const config = deployConfig({ strategy: "naive", scenario: "task", model: "mlp:16", precision, batch: 4, memoryLimit: manifest.memory.linearMemoryBytes });
          await board.deploy({ config, module });
          await board.request("DATA", dataPayload("task", 0, "train", 8));
          await board.telemetry({ resetCounters: true });
          await board.request("TRAIN", trainPayload(0, 1, 4));
          readings.push(await board.telemetry());
        }
        const [onQemu, onSim] = readings;
        const what = `${precision} (${mode})`;
        expect(onQemu.macs, what).toBeGreaterThan(0);
        expect(onQemu.energyCpuJ, what).toBe(onQemu.macs * perMac * 70 * 1e-12);
        expect(onQemu.energyJ, what).toBe(onQemu.energyCpuJ);
        const energy = (t: typeof onQemu) => [t.macs, t.energyJ, t.energyAcceleratorJ, t.energyMemoryJ, t.energyCpuJ];
        expect(energy(onQemu), what).toEqual(energy(onSim));
      }
    } finally {
      await Promise.all([qemu.close(), sim.close()]);
    }
  }, 120_000);
});

describe("a refused DEPLOY on the wasm2c firmware keeps the live deployment answering as before", () => {
  // qemu-rv32-noaccel: 16 MiB of linear memory. mlp:600 in fp32 with Adam takes about 7.6 MB: a second
  // one fits only where the first lies, so the device must check it completely before replacing it.
  test("a strategy check failing after the model fitted in the old one's place; a model larger than the runtime allows with no declared limit", async () => {
    if (setupError) throw setupError;
    const manifest = loadBoard("qemu-rv32-noaccel");
    const limit = manifest.memory.linearMemoryBytes;
    const board = new BoardClient(await openQemuBoard(manifest), { board: manifest.id, timeoutMs: 120_000 });
    const module = new Uint8Array(readFileSync(modulePath()));
    const large = (o: { strategy: string; memoryLimit: number; model?: string }) =>
      deployConfig({ scenario: "class", model: o.model ?? "mlp:600", precision: "fp32", batch: 4, ...o });
    try {
      await board.hello();
      await board.deploy({ config: large({ strategy: "naive", memoryLimit: limit }), module });
      await board.request("DATA", dataPayload("class", 0, "train", 8));
      await board.request("DATA", dataPayload("class", 0, "test", 20));
      await board.request("TRAIN", trainPayload(0, 2, 4));
      const state = async () => ({ eval: await board.request("EVAL", evalPayload(0)), checksum: (await board.telemetry()).modelChecksum });
      const before = await state();

      const badReplay = large({ strategy: "replay", memoryLimit: limit });
      new DataView(badReplay.buffer).setUint32(badReplay.length - 4 * (CL_WORD_COUNT - CL_REPLAY_BATCH), 60000, true);
      await expect(board.deploy({ config: badReplay, module })).rejects.toMatchObject({ codeName: "BAD_CONFIG" });
      expect(await state()).toEqual(before);

      const unknownLimit = large({ strategy: "naive", memoryLimit: 0, model: "mlp:2000" });
      const refused = board.deploy({ config: unknownLimit, module });
      await expect(refused).rejects.toMatchObject({ codeName: "DOES_NOT_FIT" });
      await expect(refused).rejects.toThrow(/runtime refused/);
      expect(await state()).toEqual(before);
    } finally {
      await board.close();
    }
  }, 300_000);
});
