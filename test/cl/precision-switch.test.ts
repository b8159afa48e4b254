// Switching precision on the device between steps (assembly/nn/switch.ts, assembly/cl/policy.ts): the
// stores re-encoded on a switch against the independent format oracle (test/helpers/reference.ts), the
// switches a TRAIN reports, checkpoints that carry the current precision, and refusals.
import { describe, expect, it } from "vitest";
import { encodePayload } from "../../host/protocol/index.js";
import { CommandBoard, testFormat } from "../helpers/device.js";
import { refFormat } from "../helpers/reference.js";
import { drawAt, streamKey } from "../helpers/stream.js";
import { bitsF32 } from "../helpers/bits.js";
import { dataPayload, deployPayload, trainPayload, type SetupOptions } from "../helpers/learner.js";

type Exports = { cl_weights_ptr(): number; cl_weights_bytes(): number; cl_params(): number };

/** Stream of the re-encoding's stochastic rounding (assembly/nn/switch.ts STREAM_SWITCH), as docs/precision.md gives it. */
const STREAM_SWITCH = 11;

function board(options: Partial<SetupOptions>): { b: CommandBoard; e: Exports } {
  const b = new CommandBoard();
  b.ok("DEPLOY", deployPayload({ strategy: "naive", model: "mlp:16", ...options }));
  b.ok("DATA", dataPayload("class", 0, "train", 64));
  return { b, e: b.device.exports as unknown as Exports };
}

/**
 * Codes equal as values: with lr 0 Adam's update w - 0 * step turns a -0 weight into +0 when the step is
 * negative, so the sign of a zero is the update's, not the switch's.
 */
function sameValue(ref: ReturnType<typeof refFormat>, got: number, want: number): boolean {
  return bitsF32(ref.decode(got)) === bitsF32(ref.decode(want));
}

/** The stored weight codes, `bytes` per weight. */
function codes(b: CommandBoard, e: Exports, bytes: number): number[] {
  const raw = b.device.u8(e.cl_weights_ptr() >>> 0, e.cl_params() * bytes).slice();
  const view = new DataView(raw.buffer);
  return Array.from({ length: e.cl_params() }, (_, i) => (bytes === 1 ? raw[i] : bytes === 2 ? view.getUint16(2 * i, true) : view.getUint32(4 * i, true)));
}

const train = (b: CommandBoard, steps: number, flags = 1) => b.ok("TRAIN", trainPayload(0, steps, 16, 5, flags));

describe("a switch of the weight format between steps", () => {
  const fp16 = refFormat(testFormat("fp16").spec);
  const e4m3 = refFormat(testFormat("e4m3").spec);
  // No master copy (fp32's), so the weights are what the switch made of them; lr 0 keeps them there.
  const options = { precision: "fp32,weight=fp16", policy: "schedule:s2@weight=e4m3;s4@weight=fp16", lr: 0 };

  it("narrows fp16 to e4m3 rounding each value to nearest even, and widens back exactly; the reply lists both", () => {
    const { b, e } = board(options);
    expect(e.cl_weights_bytes()).toBe(2 * e.cl_params());
    const first = train(b, 2);
    expect(first.precisionSwitches).toBe(0);
    const before = codes(b, e, 2);

    const narrowed = train(b, 1);
    expect(narrowed.switches).toEqual([{ step: 2, state: 1, layer: 255, role: 255 }]);
    expect(e.cl_weights_bytes()).toBe(e.cl_params());
    const after = codes(b, e, 1);
    let changed = 0;
    before.forEach((code, i) => {
      const x = fp16.decode(code);
      const want = e4m3.encode(e4m3.round(x, "rne"));
      if (!sameValue(e4m3, after[i], want)) throw new Error(`weight ${i}: fp16 ${bitsF32(x)} (0x${code.toString(16)}) to e4m3 rne: got code 0x${after[i].toString(16)}, expected 0x${want.toString(16)}`);
      if (bitsF32(e4m3.decode(want)) !== bitsF32(x)) changed++;
    });
    expect(changed).toBeGreaterThan(before.length / 2); // most fp16 values are not e4m3 values

    const widened = train(b, 2);
    expect(widened.switches).toEqual([{ step: 4, state: 0, layer: 255, role: 255 }]);
    expect(e.cl_weights_bytes()).toBe(2 * e.cl_params());
    codes(b, e, 2).forEach((code, i) => {
      expect(bitsF32(fp16.decode(code)), `weight ${i}`).toBe(bitsF32(e4m3.decode(after[i])));
    });
  });

  it("narrows with stochastic rounding from the run's switch stream: draw i for weight i", () => {
    const { b, e } = board({ ...options, policy: "schedule:s2@weight=e4m3:sr", seed: 9 });
    train(b, 2);
    const before = codes(b, e, 2);
    train(b, 1);
    const after = codes(b, e, 1);
    const key = streamKey(9, STREAM_SWITCH);
    let up = 0;
    before.forEach((code, i) => {
      const x = fp16.decode(code);
      const want = e4m3.encode(e4m3.roundStochastic(x, 32, drawAt(key, i)));
      if (!sameValue(e4m3, after[i], want)) throw new Error(`weight ${i}: fp16 0x${code.toString(16)} to e4m3 sr (draw ${i}): got 0x${after[i].toString(16)}, expected 0x${want.toString(16)}`);
      if (Math.abs(bitsF32(e4m3.decode(want))) > Math.abs(bitsF32(e4m3.decode(e4m3.encode(e4m3.round(x, "rz")))))) up++;
    });
    expect(up).toBeGreaterThan(0);
  });
});

describe("a switch of the replay format between steps", () => {
  type BufferExports = { cl_buffer(): number; cl_buffer_count(b: number): number; cl_buffer_sample_bytes(b: number): number; cl_buffer_data(b: number): number };

  it("re-encodes every held sample from fp16 to e4m3, rounding to nearest even", () => {
    const b = new CommandBoard();
    b.ok("DEPLOY", deployPayload({ strategy: "replay", model: "mlp:16", precision: "fp32,replay=fp16", policy: "schedule:e1@replay=e4m3" }));
    const e = b.device.exports as unknown as BufferExports;
    b.ok("DATA", dataPayload("class", 0, "train", 64));
    b.ok("TRAIN", trainPayload(0, 2, 16)); // ends experience 0: its samples go into the buffer
    const buffer = e.cl_buffer();
    const held = e.cl_buffer_count(buffer);
    expect(held).toBeGreaterThan(0);
    expect(e.cl_buffer_sample_bytes(buffer)).toBe(784 * 2);
    const raw = b.device.u8(e.cl_buffer_data(buffer) >>> 0, held * 784 * 2).slice();
    const before = new Uint16Array(raw.buffer);

    b.ok("DATA", dataPayload("class", 1, "train", 64));
    const reply = b.ok("TRAIN", trainPayload(1, 1, 16, 5, 1)); // continues experience 1: the buffer keeps its samples
    expect(reply.switches).toEqual([{ step: 2, state: 1, layer: 255, role: 255 }]);
    expect(e.cl_buffer_count(buffer)).toBe(held);
    expect(e.cl_buffer_sample_bytes(buffer)).toBe(784);
    const after = b.device.u8(e.cl_buffer_data(buffer) >>> 0, held * 784).slice();
    const fp16 = refFormat(testFormat("fp16").spec);
    const e4m3 = refFormat(testFormat("e4m3").spec);
    before.forEach((code, i) => {
      const want = e4m3.encode(e4m3.round(fp16.decode(code), "rne"));
      if (after[i] !== want) throw new Error(`value ${i}: fp16 0x${code.toString(16)} to e4m3 rne: got 0x${after[i].toString(16)}, expected 0x${want.toString(16)}`);
    });
  });
});

describe("a switch mid-run", () => {
  const run = (policy: string) => {
    const { b } = board({ precision: "fp8-mixed", policy });
    const replies = [train(b, 6), train(b, 6, 0)];
    return { replies, checksum: b.ok("TELEMETRY", encodePayload("TELEMETRY", { flags: 0 })).modelChecksum };
  };

  it("is reproducible from the seed, and changes the bits against the static run", () => {
    const policy = "cyclic:6-8:4";
    expect(run(policy)).toEqual(run(policy));
    expect(run(policy).checksum).not.toBe(run("static").checksum);
  });

  it("is listed once: a TRAIN that FOLLOWS another lists only its own switches", () => {
    const { b } = board({ precision: "fp8-mixed", policy: "schedule:s2@acc=fp32;s5@acc=bf16" });
    expect(b.ok("TRAIN", trainPayload(0, 3, 16, 5, 1)).switches).toEqual([{ step: 2, state: 1, layer: 255, role: 255 }]);
    expect(b.ok("TRAIN", trainPayload(0, 1, 16, 5, 3)).switches).toEqual([]);
    expect(b.ok("TRAIN", trainPayload(0, 2, 16, 5, 3)).switches).toEqual([{ step: 5, state: 2, layer: 255, role: 255 }]);
  });

  it("is carried by a checkpoint: restoring and going on gives the bits of going on", () => {
    const { b } = board({ precision: "fp8-mixed", policy: "boundary:3@weight=fp16,optimizer=bf16" });
    train(b, 2); // ends inside the boundary's fp16 phase
    const reply = b.run("CHECKPOINT", encodePayload("CHECKPOINT", { slot: 0 }));
    if ("error" in reply) throw new Error(reply.message);
    const image = reply.ok.slice();
    const going = train(b, 4);
    const checksum = b.ok("TELEMETRY", encodePayload("TELEMETRY", { flags: 0 })).modelChecksum;
    expect(b.run("RESTORE", image)).toEqual({ ok: new Uint8Array(0) });
    expect(train(b, 4)).toEqual(going);
    expect(b.ok("TELEMETRY", encodePayload("TELEMETRY", { flags: 0 })).modelChecksum).toBe(checksum);
  });
});

describe("refusals", () => {
  it("refuses at DEPLOY a policy whose widest state does not fit, with the figures, and keeps the live learner", () => {
    const b = new CommandBoard();
    // fp8-pure: 9 bytes a parameter (e4m3 weight, two bf16 Adam moments, an f32 gradient); the policy's
    // fp32 state needs 16, which a limit of 1.25 MiB does not hold for mlp:64's 55,050 parameters.
    const small = { strategy: "naive", precision: "fp8-pure", model: "mlp:64", memoryLimit: 1.25 * 2 ** 20 };
    b.ok("DEPLOY", deployPayload(small));
    const refused = b.run("DEPLOY", deployPayload({ ...small, policy: "boundary:10@weight=fp32:rne,optimizer=fp32" }));
    if (!("error" in refused)) throw new Error("expected a refusal");
    expect(refused.error).toBe("DOES_NOT_FIT");
    expect(refused.message).toMatch(/widest precision state .* \d+ bytes/);
    b.ok("DATA", dataPayload("class", 0, "train", 32));
    expect(b.ok("TRAIN", trainPayload(0, 1, 16)).iterations).toBe(1);
  });

  it("refuses a switch of the stored formats under a strategy that keeps weight snapshots", () => {
    const b = new CommandBoard();
    const refused = b.run("DEPLOY", deployPayload({ strategy: "lwf", scenario: "task", precision: "fp8-mixed", policy: "boundary:4@weight=fp16" }));
    if (!("error" in refused)) throw new Error("expected a refusal");
    expect(refused.message).toMatch(/keeps the weight, master and optimizer formats with lwf/);
    // Compute roles may switch with it.
    b.ok("DEPLOY", deployPayload({ strategy: "lwf", scenario: "task", precision: "fp8-mixed", policy: "boundary:4@acc=fp32" }));
  });
});
