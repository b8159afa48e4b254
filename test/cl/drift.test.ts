// boundary's drift trigger for task-free streams (assembly/cl/policies/boundary.ts, docs/precision.md,
// Policies): its switches against the loss-window rule of Aljundi, Kelchtermans and Tuytelaars (CVPR
// 2019) applied here to the loss of every step as TRAIN reports it (one-step TRAINs); checkpoints that
// carry the window; and the refusals of its parameters.
import { describe, expect, it } from "vitest";
import { encodePayload } from "../../host/protocol/index.js";
import { parsePolicy, preset } from "../../host/precision/index.js";
import { UsageError } from "../../host/errors.js";
import { CommandBoard } from "../helpers/device.js";
import { dataPayload, deployPayload, trainPayload, type SetupOptions } from "../helpers/learner.js";

interface SwitchItem { step: number; state: number; layer: number; role: number }

/**
 * The states the rule gives steps 0 .. losses.length: step t runs in state 1 when fewer than `steps`
 * steps passed since the last drift (the run's start counts as one). After each step its loss enters a
 * window of the last `window` losses; a full window whose mean exceeds the plateau's mean plus k times
 * the plateau's standard deviation is a drift (window emptied, plateau forgotten); otherwise a full
 * window with a lower mean than the plateau's (or the first one) becomes the plateau.
 */
function ruleStates(losses: number[], steps: number, window: number, k: number): number[] {
  const states: number[] = [];
  let since = 0;
  let held: number[] = [];
  let plateau: { mean: number; dev: number } | null = null;
  for (let t = 0; t <= losses.length; t++) {
    states.push(since < steps ? 1 : 0);
    if (t === losses.length) break;
    since++;
    if (!Number.isFinite(losses[t])) continue;
    held = [...held, losses[t]].slice(-window);
    if (held.length < window) continue;
    let sum = 0;
    for (const x of held) sum += x;
    const mean = sum / window;
    let squares = 0;
    for (const x of held) squares += (x - mean) * (x - mean);
    const dev = Math.sqrt(squares / window);
    if (plateau && mean > plateau.mean + Math.fround(k) * plateau.dev) {
      since = 0;
      held = [];
      plateau = null;
    } else if (!plateau || mean < plateau.mean) {
      plateau = { mean, dev };
    }
  }
  return states;
}

function switchesOf(states: number[]): Array<{ step: number; state: number }> {
  const out: Array<{ step: number; state: number }> = [];
  let state = 0;
  states.forEach((s, t) => {
    if (s !== state) out.push({ step: t, state: s });
    state = s;
  });
  return out;
}

function deploy(options: Partial<SetupOptions>): CommandBoard {
  const b = new CommandBoard();
  b.ok("DEPLOY", deployPayload({ strategy: "naive", model: "mlp:16", scenario: "class", precision: "fp8-mixed", ...options }));
  return b;
}

/** `perExperience` one-step TRAINs on each of experiences 0 and 1: each step's loss and the switches. */
function stream(b: CommandBoard, perExperience: number) {
  const losses: number[] = [];
  const switches: SwitchItem[] = [];
  for (const experience of [0, 1]) {
    b.ok("DATA", dataPayload("class", experience, "train", 128));
    for (let i = 0; i < perExperience; i++) {
      const reply = b.ok("TRAIN", trainPayload(experience, 1, 16, 3 + i, 1)) as { lastLoss: number; switches: SwitchItem[] };
      losses.push(reply.lastLoss);
      switches.push(...reply.switches);
    }
  }
  return { losses, switches };
}

describe("boundary with the drift trigger", () => {
  it("runs its steps after each drift the rule finds in the step losses, and not after an experience start", () => {
    const steps = 3, window = 4, k = 2;
    const b = deploy({ policy: `boundary:${steps}@acc=fp32,weight=fp16:drift=${window},${k}` });
    const { losses, switches } = stream(b, 14);
    const states = ruleStates(losses, steps, window, k);
    expect(switches).toEqual(switchesOf(states).map((s) => ({ ...s, layer: 255, role: 255 })));
    // The new classes of experience 1 raise the loss: a drift the rule finds after step 14, where the
    // experience starts; experience 0's start is the stream's, in state 1 from step 0.
    const rises = switchesOf(states).filter((s) => s.state === 1 && s.step > 14);
    expect(rises.length).toBeGreaterThan(0);
    expect(states.slice(0, steps)).toEqual([1, 1, 1]);
    // Experience starts alone do not switch: the same stream without a loss drift (k huge) stays in state 0 after its start.
    const calm = stream(deploy({ policy: `boundary:${steps}@acc=fp32,weight=fp16:drift=${window},1000000` }), 14);
    expect(calm.switches).toEqual([
      { step: 0, state: 1, layer: 255, role: 255 },
      { step: steps, state: 0, layer: 255, role: 255 },
    ]);
  });

  it("is carried by a checkpoint: the window, the plateau and the steps since the last drift", () => {
    const b = deploy({ policy: "boundary:3@acc=fp32:drift=4,1" });
    b.ok("DATA", dataPayload("class", 0, "train", 128));
    b.ok("TRAIN", trainPayload(0, 9, 16, 5, 1));
    const reply = b.run("CHECKPOINT", encodePayload("CHECKPOINT", { slot: 0 }));
    if ("error" in reply) throw new Error(reply.message);
    const image = reply.ok.slice();
    b.ok("DATA", dataPayload("class", 1, "train", 128));
    const going = b.ok("TRAIN", trainPayload(1, 12, 16, 6, 1));
    expect((going.switches as SwitchItem[]).length).toBeGreaterThan(0);
    expect(b.run("RESTORE", image)).toEqual({ ok: new Uint8Array(0) });
    b.ok("DATA", dataPayload("class", 1, "train", 128));
    expect(b.ok("TRAIN", trainPayload(1, 12, 16, 6, 1))).toEqual(going);
  });
});

describe("boundary's drift parameters", () => {
  const fp8 = preset("fp8-mixed")!;

  it("takes a window and k, defaults 10 and 3, and keeps the spec before it", () => {
    expect(parsePolicy("boundary:5:drift", fp8).drift).toEqual({ window: 10, k: 3 });
    const p = parsePolicy("boundary:5@weight=e4m3:sr,acc=fp32:drift=20,1.5", fp8);
    expect(p.drift).toEqual({ window: 20, k: 1.5 });
    expect(p.states[1].weight).toEqual({ format: "e4m3", rounding: "sr" });
    expect(parsePolicy(p.text, fp8)).toEqual(p);
    expect(parsePolicy("boundary:5", fp8).drift).toBeUndefined();
  });

  it.each([
    ["boundary:5:drift=1", /boundary drift window in steps from 2 to 1024, received "1"/],
    ["boundary:5:drift=2000", /from 2 to 1024, received "2000"/],
    ["boundary:5:drift=8,-1", /drift threshold k from 0 to 1e6 standard deviations, received "-1"/],
    ["boundary:5:drift=8,x", /drift threshold k from 0/],
    ["boundary:5:drift=8,1,2", /drift=<window>\[,<k>\]/],
  ])("refuses %s, naming what is allowed", (text, message) => {
    expect(() => parsePolicy(text, fp8)).toThrow(UsageError);
    expect(() => parsePolicy(text, fp8)).toThrow(message);
  });
});
