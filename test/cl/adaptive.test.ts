// The adaptive precision policy (assembly/cl/policies/adaptive.ts, docs/precision.md, Policies): its
// switches against its rule applied here to the numeric health of every step, as TELEMETRY reports it
// step by step (one-step TRAINs, counters reset after each); checkpoints that carry each layer's rung;
// and the refusals of its parameters.
import { describe, expect, it } from "vitest";
import { encodePayload } from "../../host/protocol/index.js";
import { parsePolicy, parsePrecision, preset } from "../../host/precision/index.js";
import { UsageError } from "../../host/errors.js";
import { edgeclInProcess } from "../helpers/cli.js";
import { CommandBoard, testFormat } from "../helpers/device.js";
import { refFormat } from "../helpers/reference.js";
import { rangeShare, rangeShareOf } from "../helpers/health.js";
import { dataPayload, deployPayload, trainPayload, type SetupOptions } from "../helpers/learner.js";

/** ROLE_* of spec/config.json, as docs/precision.md names them. */
const ROLE = { weight: 0, activation: 1, error: 2, gradient: 3 } as const;
type Controlled = keyof typeof ROLE;

interface HealthItem { layer: number; role: number; format: number; values: number; overflows: number; underflows: number; updates: number; swamped: number; maxAbs: number }
interface SwitchItem { step: number; state: number; layer: number; role: number }

interface Rule { swamp: number; underflow: number; overflow: number; range: number; widen: number; narrow: number }

/**
 * The rule of docs/precision.md applied to one step's figures of one layer's role: a step widens when
 * its swamped, underflow or overflow share passes the threshold, narrows when nothing overflowed,
 * swamped updates and underflows are at most half their thresholds and the range used (in the format
 * the step ran in) is below `range`; a run
 * of `widen` (`narrow`) such steps moves one rung up (down); a step with no value changes nothing.
 */
class Controller {
  level = 0;
  above = 0;
  below = 0;
  constructor(readonly rungs: string[], readonly rule: Rule) {}

  step(item: HealthItem | undefined): boolean {
    if (!item || item.values === 0) return false;
    const f32 = Math.fround;
    const under = item.underflows / item.values, over = item.overflows / item.values;
    const name = this.rungs[this.level];
    // fp32 from IEEE 754's figures (2^-149 .. (2 - 2^-23) 2^127); the oracle's tables are for narrower formats.
    const range = name === "fp32" ? rangeShareOf(2 ** -149, (2 - 2 ** -23) * 2 ** 127, item.maxAbs) : rangeShare(refFormat(testFormat(name).spec), item.maxAbs);
    const swamp = item.updates > 0 ? item.swamped / item.updates : 0;
    const wide = swamp > f32(this.rule.swamp) || under > f32(this.rule.underflow) || over > f32(this.rule.overflow);
    const narrow = item.overflows === 0 && swamp <= f32(this.rule.swamp) / 2 && under <= f32(this.rule.underflow) / 2 && range < f32(this.rule.range);
    this.above = wide ? Math.min(this.above + 1, this.rule.widen) : 0;
    this.below = narrow ? Math.min(this.below + 1, this.rule.narrow) : 0;
    let moved = false;
    if (this.above >= this.rule.widen && this.level < this.rungs.length - 1) {
      this.level++;
      moved = true;
    } else if (this.below >= this.rule.narrow && this.level > 0) {
      this.level--;
      moved = true;
    }
    if (moved) this.above = this.below = 0;
    return moved;
  }
}

const telemetry = encodePayload("TELEMETRY", { flags: 1 });
/** Layers with weights of mlp:16: 0 the hidden Linear, 2 the output Linear. */
const LAYERS = [0, 2];

function deploy(options: Partial<SetupOptions>): CommandBoard {
  const b = new CommandBoard();
  b.ok("DEPLOY", deployPayload({ strategy: "naive", model: "mlp:16", scenario: "class", ...options }));
  b.ok("DATA", dataPayload("class", 0, "train", 128));
  b.ok("TELEMETRY", telemetry);
  return b;
}

/** Runs `steps` one-step TRAINs; returns the switches the device reported and those the rule gives. */
function follow(b: CommandBoard, steps: number, roles: Controlled[], base: Record<Controlled, string>, rungs: string[], rule: Rule) {
  const controllers = new Map<string, Controller>();
  for (const layer of LAYERS) for (const role of roles) controllers.set(`${layer}.${ROLE[role]}`, new Controller([base[role], ...rungs], rule));
  const got: SwitchItem[] = [];
  const want: SwitchItem[] = [];
  const formats: Array<[string, number, number]> = [];
  for (let t = 0; t < steps; t++) {
    const reply = b.ok("TRAIN", trainPayload(0, 1, 16, 7 + t, 1)) as { switches: SwitchItem[] };
    got.push(...reply.switches);
    const health = (b.ok("TELEMETRY", telemetry) as { health: HealthItem[] }).health;
    for (const layer of LAYERS) {
      for (const role of roles) {
        const c = controllers.get(`${layer}.${ROLE[role]}`)!;
        const item = health.find((h) => h.layer === layer && h.role === ROLE[role]);
        if (c.step(item)) want.push({ step: t + 1, state: c.level, layer, role: ROLE[role] });
        // The row names the format the layer's role runs in now (after this step's switch).
        if (item) formats.push([`step ${t} layer ${layer} ${role}`, item.format, testFormat(c.rungs[c.level]).word]);
      }
    }
  }
  return { got, want, formats, controllers };
}

describe("adaptive", () => {
  const rule: Rule = { swamp: 0.5, underflow: 0.003, overflow: 0.001, range: 0.62, widen: 1, narrow: 3 };
  const text = (roles: string, rungs: string, r: Rule = rule) =>
    `adaptive:${roles}:${rungs}:swamp=${r.swamp},underflow=${r.underflow},overflow=${r.overflow},range=${r.range},widen=${r.widen},narrow=${r.narrow}`;

  it("moves each layer's roles as its rule applied to the step's health says, and the health rows name the rung's format", () => {
    const b = deploy({ precision: "fp8-mixed", policy: text("activation+error+gradient", "fp16>fp32") });
    const base = { activation: "e4m3", error: "e5m2", gradient: "e5m2" };
    const { got, want, formats } = follow(b, 40, ["activation", "error", "gradient"], base, ["fp16", "fp32"], rule);
    expect(got).toEqual(want);
    for (const [where, format, expected] of formats) expect(format, where).toBe(expected);
    // The run exercises the rule both ways, on more than one layer.
    expect(want.some((s) => s.state === 0)).toBe(true);
    expect(new Set(want.map((s) => s.layer)).size).toBe(2);
  });

  it("moves each layer's weight format by its swamped updates (fp8-pure: the weight store takes the updates)", () => {
    // fp8-pure: no master copy, so the e4m3 weights take the updates and their row counts the swamped ones.
    const weightRule: Rule = { ...rule, swamp: 0.7, underflow: 1, overflow: 1, widen: 2, narrow: 2 };
    const b = deploy({ precision: "fp8-pure", policy: text("weight", "bf16>fp32", weightRule) });
    const { got, want, formats } = follow(b, 30, ["weight"], { weight: "e4m3", activation: "", error: "", gradient: "" }, ["bf16", "fp32"], weightRule);
    expect(got).toEqual(want);
    for (const [where, format, expected] of formats) expect(format, where).toBe(expected);
    expect(want.some((s) => s.state >= 1)).toBe(true);
  });
});

describe("adaptive on the device", () => {
  const policy = "adaptive:activation+error+gradient:fp16>fp32:underflow=0.003,range=0.62,widen=1,narrow=3";
  const checksum = (b: CommandBoard) => b.ok("TELEMETRY", encodePayload("TELEMETRY", { flags: 0 })).modelChecksum;
  const train = (b: CommandBoard, steps: number) => b.ok("TRAIN", trainPayload(0, steps, 16, 5, 1));

  it.each([
    ["compute roles", "fp8-mixed", policy],
    ["weights", "fp8-pure", "adaptive:weight+activation:bf16>fp32:swamp=0.7,underflow=0.003,range=0.62,widen=2,narrow=2"],
  ])("is carried by a checkpoint (%s): each layer's rung and its runs of steps; restoring and going on gives the bits of going on", (_, precision, policy) => {
    const b = deploy({ precision, policy });
    const first = train(b, 6) as { switches: SwitchItem[] };
    expect(first.switches.length).toBeGreaterThan(0);
    const reply = b.run("CHECKPOINT", encodePayload("CHECKPOINT", { slot: 0 }));
    if ("error" in reply) throw new Error(reply.message);
    const image = reply.ok.slice();
    const going = train(b, 12);
    const sum = checksum(b);
    expect(b.run("RESTORE", image)).toEqual({ ok: new Uint8Array(0) });
    expect(train(b, 12)).toEqual(going);
    expect(checksum(b)).toBe(sum);
  });

  it("is reproducible from the seed", () => {
    const run = () => {
      const b = deploy({ precision: "fp8-mixed", policy, seed: 11 });
      return { replies: [train(b, 10), train(b, 10)], checksum: checksum(b) };
    };
    expect(run()).toEqual(run());
  });

  it("is refused at DEPLOY on weight with a strategy that keeps copies of the stored weights", () => {
    const b = new CommandBoard();
    const refused = b.run("DEPLOY", deployPayload({ strategy: "lwf", model: "mlp:16", precision: "fp8-pure", policy: "adaptive:weight:bf16" }));
    if (!("error" in refused)) throw new Error("expected a refusal");
    expect(refused.error).toBe("BAD_CONFIG");
    expect(refused.message).toMatch(/keeps the weight, master and optimizer formats with lwf/);
  });

  it("is refused at DEPLOY without health counting, naming the flag", () => {
    const b = new CommandBoard();
    const refused = b.run("DEPLOY", deployPayload({ strategy: "naive", model: "mlp:16", precision: "fp8-mixed", policy, health: false }));
    if (!("error" in refused)) throw new Error("expected a refusal");
    expect(refused.error).toBe("BAD_CONFIG");
    expect(refused.message).toMatch(/FLAG_HEALTH for adaptive/);
  });
});

describe("adaptive's parameters", () => {
  const fp8 = preset("fp8-mixed")!;

  it("rung k is the run's spec with the controlled roles in the k-th format, their roundings kept; defaults fill the settings", () => {
    const p = parsePolicy("adaptive:activation+error:fp16>fp32", fp8);
    expect(p.states.map((s) => [s.activation.format, s.error.format, s.gradient.format, s.weight.format])).toEqual([
      ["e4m3", "e5m2", "e5m2", "e4m3"],
      ["fp16", "fp16", "e5m2", "e4m3"],
      ["fp32", "fp32", "e5m2", "e4m3"],
    ]);
    expect(p.adaptive).toEqual({ swamp: 0.5, underflow: 0.01, overflow: 0.001, range: 0.6, widen: 2, narrow: 50 });
    expect(parsePolicy(p.text, fp8)).toEqual(p);
    expect(parsePolicy("adaptive:gradient:bf16:narrow=7,underflow=0.5", fp8).adaptive).toEqual({ swamp: 0.5, underflow: 0.5, overflow: 0.001, range: 0.6, widen: 2, narrow: 7 });
  });

  it.each([
    ["adaptive:master:bf16", /adaptive roles among weight, activation, error, gradient/],
    ["adaptive:weight:bf16:swamp=2", /adaptive swamp share from 0 to 1/],
    ["adaptive:activation+activation:bf16", /each adaptive role once/],
    ["adaptive:activation", /adaptive:<role>\+<role>/],
    ["adaptive:activation:e9m2", /exponent bits E in 1..8/],
    ["adaptive:activation:mxfp8-e4m3", /not a block \(MX\) format/],
    ["adaptive:activation:e5m2>e5m3>e5m4>e5m5>e5m6>e5m7>e5m8>e5m9>e5m10", /at most 8 adaptive rungs/],
    ["adaptive:activation:bf16:underflow=1.5", /adaptive underflow share from 0 to 1, received "1.5"/],
    ["adaptive:activation:bf16:range=-0.1", /adaptive range share from 0 to 1/],
    ["adaptive:activation:bf16:widen=0", /adaptive widen steps from 1/],
    ["adaptive:activation:bf16:narrow=x", /adaptive narrow steps from 1/],
    ["adaptive:activation:bf16:speed=3", /an adaptive setting swamp=, underflow=, overflow=, range=/],
    ["adaptive:activation:bf16:widen=2,widen=3", /each adaptive setting once/],
  ])("refuses %s, naming what is allowed", (text, message) => {
    expect(() => parsePolicy(text, fp8)).toThrow(UsageError);
    expect(() => parsePolicy(text, fp8)).toThrow(message);
  });

  it("is a usage error on the command line: exit 2, one line naming the value", async () => {
    const r = await edgeclInProcess(["run", "--precision", "fp8-mixed", "--precision-policy", "adaptive:activation:bf16:widen=0"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^edgecl: .*adaptive widen steps from 1 to \d+, received "0"$/);
  });

  it("refuses a role a layer<N>.<role> item pins", () => {
    expect(() => parsePolicy("adaptive:activation:bf16", parsePrecision("fp8-mixed,layer0.activation=fp16"))).toThrow(/layer0.activation with adaptive's activation/);
  });
});
