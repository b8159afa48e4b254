// Host-side strategy options: names, defaults per scenario, options that do not apply, and the blob
// the device reads (assembly/cl/abi.ts), checked word by word.
import { describe, expect, it } from "vitest";
import * as abi from "../../assembly/cl/abi.js";
import { cutIndex, encodeStrategy, parseStrategyName, resolveStrategy, rowsPerStep, STRATEGY_NAMES } from "../../host/cl/strategies.js";
import { parseModelSpec } from "../../host/train/model-spec.js";

describe("strategy names", () => {
  it("refuses an unknown name, listing the allowed ones", () => {
    expect(() => parseStrategyName("icarl")).toThrow(
      'expected a strategy: naive, cumulative, replay, latent-replay, gdumb, agem, ewc, online-ewc, si, lwf, packnet, received "icarl"',
    );
    expect(parseStrategyName(" Replay ")).toBe("replay");
    expect(STRATEGY_NAMES).toHaveLength(abi.STRATEGY_COUNT);
  });

  it("refuses an option the strategy does not read", () => {
    expect(() => resolveStrategy("replay", "class", 32, 100, { lambda: 1 })).toThrow("--lambda goes with --strategy ewc, online-ewc, si, lwf, received --strategy replay");
    expect(() => resolveStrategy("lwf", "class", 32, 100, { gamma: 0 })).toThrow("--gamma to be a finite number above 0 (the temperature)");
    expect(() => resolveStrategy("packnet", "task", 32, 100, { prune: 1 })).toThrow("expected --prune to be a fraction in [0, 1), received 1");
  });
});

describe("defaults", () => {
  it("take EWC lambda and SI c per scenario from van de Ven & Tolias's code", () => {
    expect(resolveStrategy("ewc", "task", 128, 2000).lambda).toBe(1e5);
    expect(resolveStrategy("ewc", "domain", 128, 2000).lambda).toBe(1e10);
    expect(resolveStrategy("ewc", "class", 128, 2000).lambda).toBe(1e9);
    expect(resolveStrategy("si", "task", 128, 2000).lambda).toBe(10);
    expect(resolveStrategy("si", "domain", 128, 2000).lambda).toBe(5e4);
    expect(resolveStrategy("si", "class", 128, 2000).lambda).toBe(5e3);
  });

  it("size the model's batch for the new and the replayed samples", () => {
    expect(rowsPerStep(resolveStrategy("replay", "class", 32, 100), 32)).toBe(64);
    expect(rowsPerStep(resolveStrategy("agem", "class", 32, 100, { replayBatch: 100 }), 32)).toBe(100);
    expect(rowsPerStep(resolveStrategy("ewc", "class", 32, 100), 32)).toBe(32);
  });
});

describe("the strategy blob", () => {
  it("lays out every word as assembly/cl/abi.ts says", () => {
    const layers = parseModelSpec("mlp:400,400").layers;
    const spec = resolveStrategy("latent-replay", "class", 64, 100, { bufferBytes: 1000, bufferPolicy: "class-balanced", replayBatch: 16 });
    const words = encodeStrategy(spec, layers, 4 << 20);
    const f32 = new Float32Array(words.buffer);
    expect(words).toHaveLength(abi.CL_WORD_COUNT);
    expect(words[abi.CL_VERSION]).toBe(abi.CL_ABI_VERSION);
    expect(words[abi.CL_WORDS]).toBe(abi.CL_WORD_COUNT);
    expect(words[abi.CL_STRATEGY]).toBe(abi.STRATEGY_LATENT_REPLAY);
    expect(words[abi.CL_MEMORY_LIMIT]).toBe(4194304);
    expect(words[abi.CL_BUFFER_BYTES]).toBe(1000);
    expect(words[abi.CL_BUFFER_POLICY]).toBe(abi.BUFFER_CLASS_BALANCED);
    expect(words[abi.CL_REPLAY_BATCH]).toBe(16);
    // mlp:400,400 is linear, relu, linear, relu (+ the output layer): one frozen layer cuts at index 2.
    expect(words[abi.CL_CUT]).toBe(2);
    expect(f32[abi.CL_LAMBDA]).toBe(0);
  });

  it("cuts latent replay after the frozen hidden layers", () => {
    const layers = parseModelSpec("mlp:400,400").layers;
    expect(cutIndex(layers, 1)).toBe(2);
    expect(cutIndex(layers, 2)).toBe(4);
    expect(() => cutIndex(layers, 3)).toThrow("--frozen-layers 3 freezes more layers than the model's 2 hidden layers with weights");
  });
});
