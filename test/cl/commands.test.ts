// The device command loop (assembly/device/loop.ts) driven as a board drives it: error replies name what is
// wrong and leave the previous deployment working; regularisation and PackNet do what they claim;
// checkpoints restore the learner exactly.
import { describe, expect, it } from "vitest";
import { encodePayload } from "../../host/protocol/index.js";
import { CL_STRATEGY, CL_WORD_COUNT } from "../../assembly/cl/abi.js";
import { CommandBoard } from "../helpers/device.js";
import { dataPayload, deployConfig, deployPayload, evalPayload, trainPayload } from "../helpers/learner.js";

/** A deployment trained on a little of experience 0, with its test set stored. */
function trained(board: CommandBoard, strategy = "naive") {
  board.ok("DEPLOY", deployPayload({ strategy }));
  board.ok("DATA", dataPayload("class", 0, "train", 300));
  board.ok("DATA", dataPayload("class", 0, "test", 200));
  board.ok("TRAIN", trainPayload(0, 30, 32));
  return board.ok("EVAL", evalPayload(0));
}

describe("error replies leave the previous deployment working", () => {
  const cases: Array<[string, () => Uint8Array, string, RegExp]> = [
    ["a DEPLOY payload shorter than its config count", () => Uint8Array.from([200, 0, 0, 0, 1, 2]), "BAD_PAYLOAD", /expected a DEPLOY config of at most 2 bytes/],
    [
      "an unknown strategy id",
      () => {
        const config = deployConfig({ strategy: "naive" });
        const words = new Uint32Array(config.buffer);
        words[words.length - CL_WORD_COUNT + CL_STRATEGY] = 42;
        return encodePayload("DEPLOY", { config, module: new Uint8Array(0) });
      },
      "BAD_CONFIG",
      /expected a strategy id from 0 to 10 \(naive, cumulative, replay, latent-replay, gdumb, agem, ewc, online-ewc, si, lwf, packnet\), received 42/,
    ],
    [
      "a model that does not fit the board's memory",
      () => deployPayload({ strategy: "naive", model: "mlp:2000,2000", memoryLimit: 4 << 20 }),
      "DOES_NOT_FIT",
      /expected a deployment that fits the board's linear memory \(\d+ bytes available of 4194304\), received one that needs .*\d+ bytes/,
    ],
    [
      "a replay buffer that does not fit",
      () => deployPayload({ strategy: "replay", overrides: { bufferBytes: 8 << 20 }, memoryLimit: 4 << 20 }),
      "DOES_NOT_FIT",
      /received one that needs \d+ bytes/,
    ],
  ];

  it.each(cases)("%s", (_, payload, code, message) => {
    const board = new CommandBoard();
    const before = trained(board);
    const reply = board.run("DEPLOY", payload());
    expect(reply).toMatchObject({ error: code });
    expect((reply as { message: string }).message).toMatch(message);
    // The same model answers the same test set the same way, and it still trains.
    expect(board.ok("EVAL", evalPayload(0))).toEqual(before);
    board.ok("DATA", dataPayload("class", 1, "train", 100));
    board.ok("TRAIN", trainPayload(1, 2, 32, 9, 1));
  });

  it("DATA with the wrong features or labels, TRAIN without data, EVAL of a task head that does not exist", () => {
    const board = new CommandBoard();
    const before = trained(board);
    const wrongFeatures = encodePayload("DATA", { experience: 1, split: 0, encoding: 1, flags: 1, count: 1, features: 10, samples: new Uint8Array(12) });
    expect(board.run("DATA", wrongFeatures)).toMatchObject({ error: "BAD_PAYLOAD", message: "expected 784 features per sample (the deployed model's input), received 10" });
    const badLabel = new Uint8Array(2 + 784);
    badLabel[0] = 12;
    expect(board.run("DATA", encodePayload("DATA", { experience: 1, split: 0, encoding: 1, flags: 1, count: 1, features: 784, samples: badLabel }))).toMatchObject({
      error: "BAD_PAYLOAD",
      message: "expected labels from 0 to 9 (the classes of a head), received 12 at sample 0",
    });
    expect(board.run("TRAIN", trainPayload(3, 5, 32))).toMatchObject({ error: "NO_DATA" });
    expect(board.run("TRAIN", trainPayload(0, 5, 500))).toMatchObject({ error: "BAD_PAYLOAD" });
    expect(board.ok("EVAL", evalPayload(0))).toEqual(before);
  });

  it("requests before DEPLOY are refused with NOT_DEPLOYED", () => {
    const board = new CommandBoard();
    expect(board.run("TRAIN", trainPayload(0, 1, 1))).toMatchObject({ error: "NOT_DEPLOYED" });
    expect(board.run("EVAL", evalPayload(0))).toMatchObject({ error: "NOT_DEPLOYED" });
  });

  it("a new deployment after RESET starts from the same memory (the heap goes back to its mark)", () => {
    const board = new CommandBoard();
    const first = board.ok("DEPLOY", deployPayload({ strategy: "naive" }));
    for (let i = 0; i < 5; i++) {
      board.ok("RESET", encodePayload("RESET", { flags: 0 }));
      expect(board.ok("DEPLOY", deployPayload({ strategy: "naive" }))).toEqual(first);
    }
    // Re-deploying without RESET also reuses the memory.
    for (let i = 0; i < 3; i++) expect(board.ok("DEPLOY", deployPayload({ strategy: "naive" }))).toEqual(first);
  });
});

describe("EWC", () => {
  it("has a penalty of zero at the anchor that grows with the distance from it", () => {
    const board = new CommandBoard();
    const e = board.device.exports;
    board.ok("DEPLOY", deployPayload({ strategy: "ewc", overrides: { lambda: 100, fisherSamples: 50 } }));
    expect(e.cl_penalty()).toBe(0);
    board.ok("DATA", dataPayload("class", 0, "train", 200));
    board.ok("TRAIN", trainPayload(0, 20, 32));
    // The experience ended: the anchor is the weights now.
    expect(e.cl_penalty()).toBe(0);
    const penalties = [];
    for (let step = 0; step < 4; step++) {
      e.cl_shift_weights(0.01);
      penalties.push(e.cl_penalty());
    }
    // A quadratic: 0.01, 0.02, 0.03, 0.04 away gives 1 : 4 : 9 : 16.
    expect(penalties[0]).toBeGreaterThan(0);
    for (let k = 1; k < 4; k++) expect(penalties[k] / penalties[0]).toBeCloseTo((k + 1) ** 2, 3);
  });
});

describe("PackNet", () => {
  it("leaves the weights it froze for earlier experiences bit for bit unchanged", () => {
    const board = new CommandBoard();
    const e = board.device.exports;
    board.ok("DEPLOY", deployPayload({ strategy: "packnet", scenario: "task", overrides: { prune: 0.5, retrain: 10 } }));
    board.ok("DATA", dataPayload("task", 0, "train", 200));
    board.ok("TRAIN", trainPayload(0, 20, 32));
    const params = e.cl_params();
    const owners = board.device.u8(e.cl_owners_ptr() >>> 0, params).slice();
    const weights = board.device.f32(e.cl_weights_ptr() >>> 0, params).slice();
    const frozen = owners.reduce((n, o) => n + (o === 1 ? 1 : 0), 0);
    const pruned = weights.reduce((n, w, i) => n + (owners[i] === 0 && w === 0 ? 1 : 0), 0);
    expect(frozen).toBeGreaterThan(0);
    expect(pruned).toBeGreaterThan(0);
    board.ok("DATA", dataPayload("task", 1, "train", 200));
    board.ok("TRAIN", trainPayload(1, 20, 32));
    const after = board.device.f32(e.cl_weights_ptr() >>> 0, params);
    const ownersAfter = board.device.u8(e.cl_owners_ptr() >>> 0, params);
    let changedFree = 0;
    for (let i = 0; i < params; i++) {
      if (owners[i] === 1) expect(Object.is(after[i], weights[i]), `weight ${i}`).toBe(true);
      else if (after[i] !== weights[i]) changedFree++;
      if (owners[i] === 1) expect(ownersAfter[i]).toBe(1);
    }
    // Experience 1 trained the free weights.
    expect(changedFree).toBeGreaterThan(0);
  });
});

describe("CHECKPOINT and RESTORE", () => {
  it("restore the learner's state exactly, and refuse a corrupt image without changing it", () => {
    const board = new CommandBoard();
    trained(board, "replay");
    const image = board.run("CHECKPOINT", encodePayload("CHECKPOINT", { slot: 0 }));
    expect("ok" in image).toBe(true);
    const bytes = (image as { ok: Uint8Array }).ok.slice();
    const atCheckpoint = board.ok("EVAL", evalPayload(0));
    board.ok("DATA", dataPayload("class", 0, "train", 300));
    board.ok("TRAIN", trainPayload(0, 30, 32, 11));
    const moved = board.ok("EVAL", evalPayload(0));
    const corrupt = bytes.slice();
    corrupt[100] ^= 1;
    expect(board.run("RESTORE", corrupt)).toMatchObject({ error: "BAD_PAYLOAD" });
    expect(board.ok("EVAL", evalPayload(0))).toEqual(moved);
    expect(board.run("RESTORE", bytes)).toEqual({ ok: new Uint8Array(0) });
    expect(board.ok("EVAL", evalPayload(0))).toEqual(atCheckpoint);
  });
});
