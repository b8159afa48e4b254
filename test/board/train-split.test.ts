// An experience's steps split over several TRAIN requests (CONTINUE on all but the last, FOLLOWS on all
// but the first) leave the learner, the losses and every counter of the report as one request per
// experience does, for every strategy on the simulated board with its accelerator; FOLLOWS is refused,
// with the reason, where the device has nothing to go on from.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, test } from "vitest";
import { loadAccelerator } from "../../board/sim/mmio.js";
import { runExperiences, type RunPlan } from "../../host/client/runner.js";
import type { BoardClient } from "../../host/client/client.js";
import { planRun } from "../../host/cl/run.js";
import { modulePath } from "../../host/device/module.js";
import { TrainFlag } from "../../host/protocol/index.js";
import { defaultOptimizer } from "../../host/train/config.js";
import { connectInProcess, manifest } from "../helpers/board.js";
import { FEATURES, learner, separable } from "../helpers/learner.js";
import { comparableReport } from "../helpers/run-process.js";

const STRATEGIES = ["naive", "cumulative", "replay", "latent-replay", "gdumb", "agem", "ewc", "online-ewc", "si", "lwf", "packnet"];
const { CONTINUE, FOLLOWS } = TrainFlag;

function plan(strategy: string, trainChunk?: number): RunPlan {
  return planRun({
    scenario: "class", strategy, precision: "fp8-mixed", seed: 5, model: strategy === "latent-replay" ? "mlp:16,16" : "mlp:16", iterations: 12, batch: 8,
    optimizer: defaultOptimizer("adam"), experiences: 3, trainSamples: 44, testSamples: 20, board: "sim", trainChunk,
  }).plan;
}

async function connect() {
  const m = manifest("sim");
  return connectInProcess({ manifest: m, accelerator: await loadAccelerator(m) }, 60_000).client;
}

/** The run, and the TRAIN requests it sent: [experience, iterations, flags]. */
async function run(p: RunPlan): Promise<{ report: unknown; sent: number[][] }> {
  const client = await connect();
  const sent: number[][] = [];
  const train = client.train.bind(client);
  client.train = (params, options) => {
    sent.push([params.experience, params.iterations, params.flags ?? 0]);
    return train(params, options);
  };
  try {
    return { report: comparableReport(await runExperiences(client, p)), sent };
  } finally {
    await client.close();
  }
}

describe.each(STRATEGIES)("%s", (strategy) => {
  test("steps in requests of 5, 5 and 2 give the report of one request per experience", async () => {
    const whole = await run(plan(strategy, 12));
    expect(whole.sent).toEqual([0, 1, 2].map((e) => [e, 12, 0]));
    const split = await run(plan(strategy, 5));
    // GDumb trains only when an experience ends: its steps go in one request whatever the chunk.
    const requests = strategy === "gdumb" ? [[12, 0]] : [[5, CONTINUE], [5, CONTINUE | FOLLOWS], [2, FOLLOWS]];
    expect(split.sent).toEqual([0, 1, 2].flatMap((e) => requests.map((r) => [e, ...r])));
    expect(split.report).toEqual(whole.report);
  }, 120_000);
});

describe("TRAIN with FOLLOWS on the device", () => {
  let module: Uint8Array;
  beforeAll(() => {
    module = new Uint8Array(readFileSync(modulePath(false)));
  });

  async function deployed(): Promise<BoardClient> {
    const client = await connect();
    const hello = await client.hello();
    await client.deploy({ config: learner({ hidden: "8", memoryLimit: hello.memoryLimit }), module });
    await client.data({ experience: 0, split: "train", ...separable(24, "split-train"), features: FEATURES });
    await client.data({ experience: 0, split: "test", ...separable(16, "split-test"), features: FEATURES });
    return client;
  }

  const train = (client: BoardClient, iterations: number, flags: number, seed = 9, experience = 0) =>
    client.train({ experience, iterations, batchSize: 4, seed, flags });

  test("7 + 7 + 3 steps with EVALs and TELEMETRY between give one request's losses, weights and accuracy", async () => {
    const one = await deployed();
    const whole = await train(one, 17, 0);
    const wholeEval = await one.eval({ experience: 0 });
    const wholeSum = (await one.telemetry()).modelChecksum;

    const split = await deployed();
    const first = await train(split, 7, CONTINUE);
    await split.eval({ experience: 0 });
    const second = await train(split, 7, CONTINUE | FOLLOWS);
    await split.telemetry();
    const last = await train(split, 3, FOLLOWS);
    expect([first.iterations, second.iterations, last.iterations]).toEqual([7, 7, 3]);
    // The last reply's mean is over all 17 steps, summed in the order of one request: the same f32.
    expect(last.meanLoss).toBe(whole.meanLoss);
    expect(last.lastLoss).toBe(whole.lastLoss);
    expect(await split.eval({ experience: 0 })).toEqual(wholeEval);
    expect((await split.telemetry()).modelChecksum).toBe(wholeSum);
  });

  const refusal = /expected FOLLOWS only after a TRAIN with CONTINUE of the same experience and seed, with no DEPLOY, DATA, RESTORE or RESET since, received experience (\d+) seed (\d+); send its first TRAIN without FOLLOWS/;

  test("refused without a TRAIN with CONTINUE before it, or after one that ended the experience", async () => {
    const client = await deployed();
    await expect(train(client, 2, FOLLOWS)).rejects.toThrow(refusal);
    await train(client, 2, 0);
    await expect(train(client, 2, FOLLOWS)).rejects.toThrow(refusal);
  });

  test("refused for another seed or experience; the open request still goes on afterwards", async () => {
    const client = await deployed();
    await train(client, 2, CONTINUE);
    const otherSeed = await train(client, 2, FOLLOWS, 10).catch((err: Error) => err.message);
    expect(otherSeed).toMatch(refusal);
    expect(otherSeed).toMatch(/received experience 0 seed 10;/);
    await expect(train(client, 2, FOLLOWS, 9, 1)).rejects.toThrow(/received experience 1 seed 9;/);
    await expect(train(client, 2, FOLLOWS)).resolves.toMatchObject({ iterations: 2 });
  });

  test.each([
    ["DATA", (c: BoardClient) => c.data({ experience: 1, split: "test", ...separable(4, "more"), features: FEATURES })],
    ["RESTORE", async (c: BoardClient) => {
      await c.checkpoint(1);
      await c.restore(1);
    }],
    ["DEPLOY", (c: BoardClient) => c.deploy({ config: learner({ hidden: "8", memoryLimit: 4 << 20 }), module: new Uint8Array(0) })],
  ])("refused after a %s, which may have changed what it would go on from", async (_name, between) => {
    const client = await deployed();
    await train(client, 2, CONTINUE);
    await between(client);
    if (_name === "DEPLOY") await client.data({ experience: 0, split: "train", ...separable(24, "split-train"), features: FEATURES });
    await expect(train(client, 2, FOLLOWS)).rejects.toThrow(refusal);
  });
});
