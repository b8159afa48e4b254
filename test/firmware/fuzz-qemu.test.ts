// A seeded fuzz sample (host/client/fuzz.ts) against the firmware on QEMU (qemu-rv32, the wasm2c image of
// build/device.wasm that `edgecl run --board qemu-rv32` boots, built once into build/firmware and shared
// with the other firmware tests): every mutation, then HELLO and an unchanged model checksum after each
// batch unless a valid request changed it. The full measurement is `npm run fuzz -- --board qemu-rv32`.
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { BoardClient } from "../../host/client/client.js";
import { fuzzBoard, MUTATIONS } from "../../host/client/fuzz.js";
import { loadBoard } from "../../host/manifest/manifest.js";
import { modulePath } from "../../host/device/module.js";
import { openQemuBoard } from "../../host/firmware/index.js";
import { setUpLearner } from "../helpers/learner.js";

describe("fuzzing the firmware on QEMU", () => {
  test("a seeded sample of every mutation: no crash, hang, bad reply or unexplained change", async () => {
    const manifest = loadBoard("qemu-rv32");
    const wasm = new Uint8Array(readFileSync(modulePath(false)));
    const stats = await fuzzBoard({
      frames: 16 * 8,
      batch: 16,
      seed: 20261207,
      timeoutMs: 60_000,
      open: async () => {
        const transport = await openQemuBoard(manifest);
        return { client: new BoardClient(transport, { board: manifest.id, timeoutMs: 60_000 }), transport };
      },
      setUp: (client) => setUpLearner(client, wasm),
    });
    expect({ crashes: stats.crashes, hangs: stats.hangs, badReplies: stats.badReplies, unexplained: stats.unexplained }).toEqual({ crashes: [], hangs: [], badReplies: [], unexplained: [] });
    for (const m of MUTATIONS) expect(stats.byMutation[m], m).toBeGreaterThan(0);
    expect(stats.errors.BAD_CRC).toBeGreaterThan(0);
    expect(stats.errors.BAD_ENCODING).toBeGreaterThan(0);
  }, 600_000);
});
