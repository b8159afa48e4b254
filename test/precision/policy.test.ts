// --precision-policy (host/precision/policy.ts): what each policy parses to and what it refuses, and a
// run's precision timeline against each rule computed here from its published definition
// (docs/precision.md, Policies), on sim and sim-noaccel, with the same bits on both.
import { describe, expect, it } from "vitest";
import { parsePolicy, parsePrecision, preset } from "../../host/precision/index.js";
import { UsageError } from "../../host/errors.js";
import { runOn, learning } from "../helpers/cl-run.js";
import { smallRun } from "../helpers/run-options.js";
import type { Report } from "../../host/report/types.js";

const fp8 = preset("fp8-mixed")!;

describe("parsePolicy", () => {
  it("static is the default and has only the run's spec", () => {
    const p = parsePolicy("static", fp8);
    expect(p.states).toEqual([fp8]);
    expect(p.text).toBe("static");
  });

  it("schedule: each change's spec changes the run's, identical specs share a state, the run's spec is state 0", () => {
    const p = parsePolicy("schedule:e1@acc=fp32;s40@fp8-mixed;e2@acc=fp32", fp8);
    expect(p.changes).toEqual([
      { trigger: "experience", at: 1, state: 1 },
      { trigger: "step", at: 40, state: 0 },
      { trigger: "experience", at: 2, state: 1 },
    ]);
    expect(p.states[1]).toEqual({ ...fp8, acc: { format: "fp32", rounding: "rne" } });
    expect(parsePolicy(p.text, fp8)).toEqual(p);
  });

  it("boundary: fp32 compute and weights by default for its first steps", () => {
    const p = parsePolicy("boundary:25", fp8);
    expect(p.steps).toBe(25);
    for (const role of ["weight", "activation", "error", "gradient", "mul", "acc"] as const) expect(p.states[1][role]).toEqual({ format: "fp32", rounding: "rne" });
    expect(p.states[1].master).toEqual(fp8.master);
    expect(p.states[1].optimizer).toEqual(fp8.optimizer);
    expect(parsePolicy(p.text, fp8)).toEqual(p);
  });

  it("cyclic: width B gives each cycled role e<E>m<B-1-E>, E its exponent bits in the run's spec", () => {
    const p = parsePolicy("cyclic:6-9:50", parsePrecision("fp8-mixed,activation=e5m2"));
    // weight e4m3 (E = 4): e4m1, e4m2, e4m3 (the named OCP format), e4m4; activation e5m2 (E = 5): e5m0 .. e5m3.
    expect(p.states.slice(1).map((s) => [s.weight.format, s.activation.format])).toEqual([
      ["e4m1", "e5m0"],
      ["e4m2", "e5m1"],
      ["e4m3", "e5m2"],
      ["e4m4", "e5m3"],
    ]);
    expect(p.states.slice(1).every((s) => s.error.format === "e5m2" && s.acc.format === "fp16")).toBe(true);
    expect(parsePolicy("cyclic:6-8:10:error", fp8).states.map((s) => s.error.format)).toEqual(["e5m2", "e5m0", "e5m1", "e5m2"]);
  });

  it.each([
    ["adaptive", /parameters after adaptive/],
    ["nonsense:3", /a precision policy: static, schedule/],
    ["static:3", /static without parameters/],
    ["boundary", /parameters after boundary/],
    ["boundary:0", /boundary steps from 1/],
    ["schedule:x1@fp32", /e<experience>@<spec> or s<step>@<spec>/],
    ["schedule:e1@master=none", /schedule change "e1@master=none" to keep the run's master copy present/],
    ["schedule:s3@lossScale=none", /keep the run's fma=off, gemm=exact and lossScale=dynamic/],
    ["schedule:s3@weight=e9m3", /exponent bits E in 1..8/],
    ["cyclic:8-6:10", /highest cyclic bit width from 8/],
    ["cyclic:2-12:10", /at most 8 widths/],
    ["cyclic:4-8:10", /cyclic widths from 5 to 28 for weight/],
    ["cyclic:6-8:0", /cyclic period in steps from 1/],
    ["cyclic:6-8:10:replay", /cycled roles among/],
    [`schedule:${Array.from({ length: 9 }, (_, i) => `s${i}@acc=e5m${i + 2}`).join(";")}`, /at most 8 precision states/],
  ])("refuses %s, naming what is allowed", (text, message) => {
    expect(() => parsePolicy(text, fp8)).toThrow(UsageError);
    expect(() => parsePolicy(text, fp8)).toThrow(message);
  });
});

/** (step, state) of every switch in a report, from its timeline (one row per role the switch changes). */
function switches(report: Report): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const t of report.telemetry) {
    for (const row of t.precision!.timeline) if (!out.some(([s]) => s === row.step)) out.push([row.step, row.state]);
  }
  return out;
}

/** The states a rule gives steps 0 .. steps-1, as switches from state 0. */
function expectedSwitches(steps: number, rule: (t: number) => number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let state = 0;
  for (let t = 0; t < steps; t++) {
    const s = rule(t);
    if (s !== state) out.push([t, s]);
    state = s;
  }
  return out;
}

describe("a run's precision timeline", () => {
  const iterations = 12;
  const runs = (policy: string, overrides = {}) =>
    Promise.all(["sim", "sim-noaccel"].map((board) => runOn(board, smallRun({ precisionPolicy: policy, iterations, ...overrides }))));

  it("cyclic follows CPT's formula, B_t = round(low + (high - low)/2 (1 - cos(pi (t mod T)/T))), with the same bits on sim and sim-noaccel", async () => {
    const [sim, noaccel] = await runs("cyclic:6-8:5");
    // Written from Fu et al., ICLR 2021, Eq. 1 (rounding half up); state B - low + 1.
    const width = (t: number) => Math.floor(6 + 0.5 * (8 - 6) * (1 - Math.cos((Math.PI * (t % 5)) / 5)) + 0.5);
    expect(switches(sim.report)).toEqual(expectedSwitches(2 * iterations, (t) => width(t) - 6 + 1));
    expect(sim.report.telemetry[0].precision!.timeline[0]).toEqual({ step: 0, state: 1, layer: "all", role: "weight", format: "e4m1", rounding: "rne" });
    expect(learning(noaccel.report)).toEqual(learning(sim.report));
    expect(noaccel.report.modelChecksum).toBe(sim.report.modelChecksum);
    expect(noaccel.checkpointCrc).toBe(sim.checkpointCrc);
  });

  it("boundary runs its first steps of every experience in state 1, then state 0, with the same bits on sim and sim-noaccel", async () => {
    const [sim, noaccel] = await runs("boundary:4@acc=fp32,weight=bf16");
    expect(switches(sim.report)).toEqual(expectedSwitches(2 * iterations, (t) => (t % iterations < 4 ? 1 : 0)));
    expect(sim.report.telemetry.map((t) => t.precision!.switches)).toEqual([2, 2]);
    expect(noaccel.report.modelChecksum).toBe(sim.report.modelChecksum);
    expect(noaccel.checkpointCrc).toBe(sim.checkpointCrc);
  });

  it("adaptive names the layer whose role moved, counts health, and gives the same bits on sim and sim-noaccel", async () => {
    const [sim, noaccel] = await runs("adaptive:activation+error+gradient:fp16>fp32:underflow=0.003,range=0.62,widen=1,narrow=3");
    const rows = sim.report.telemetry.flatMap((t) => t.precision!.timeline);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      // mlp:16's layers with weights: 0 and 2; rung 1 is fp16, rung 2 fp32, rung 0 the run's (fp8-mixed).
      expect([0, 2]).toContain(row.layer);
      const base = row.role === "activation" ? "e4m3" : "e5m2";
      expect(row.format).toBe([base, "fp16", "fp32"][row.state]);
    }
    expect(sim.report.config.health).toBe(true);
    expect(sim.report.telemetry[0].train.health!.length).toBeGreaterThan(0);
    expect(learning(noaccel.report)).toEqual(learning(sim.report));
    expect(noaccel.report.telemetry.map((t) => t.precision)).toEqual(sim.report.telemetry.map((t) => t.precision));
    expect(noaccel.checkpointCrc).toBe(sim.checkpointCrc);
  });

  it("adaptive moves each layer's weight format with the same bits on sim and sim-noaccel, checkpoint included", async () => {
    const [sim, noaccel] = await runs("adaptive:weight:bf16>fp32:swamp=0.7,widen=2,narrow=2", { precision: "fp8-pure" });
    const rows = sim.report.telemetry.flatMap((t) => t.precision!.timeline);
    expect(rows.some((row) => row.role === "weight" && typeof row.layer === "number")).toBe(true);
    expect(learning(noaccel.report)).toEqual(learning(sim.report));
    expect(noaccel.report.modelChecksum).toBe(sim.report.modelChecksum);
    expect(noaccel.checkpointCrc).toBe(sim.checkpointCrc);
  });

  it("boundary with drift switches where the loss rises, with the same bits on sim and sim-noaccel", async () => {
    const [sim, noaccel] = await runs("boundary:3@acc=fp32,weight=fp16:drift=4,1", { scenario: "class" });
    expect(sim.report.config.precisionPolicy).toBe("boundary:3@fp8-mixed,weight=fp16:rne,acc=fp32:rne:drift=4,1");
    // The run's first steps, then at least one drift when experience 1's new classes raise the loss.
    expect(switches(sim.report)[0]).toEqual([0, 1]);
    expect(switches(sim.report).some(([step, state]) => state === 1 && step > iterations)).toBe(true);
    expect(learning(noaccel.report)).toEqual(learning(sim.report));
    expect(noaccel.report.telemetry.map((t) => t.precision)).toEqual(sim.report.telemetry.map((t) => t.precision));
    expect(noaccel.checkpointCrc).toBe(sim.checkpointCrc);
  });

  it("schedule switches where its experience and step triggers pass, the last change in list order winning", async () => {
    const [sim] = await runs("schedule:s5@acc=fp32;e1@fp8-mixed;s16@acc=bf16");
    expect(switches(sim.report)).toEqual([
      [5, 1],
      [12, 0],
      [16, 2],
    ]);
    expect(sim.report.config.precisionStates).toEqual(["fp8-mixed", "fp8-mixed,acc=fp32:rne", "fp8-mixed,acc=bf16:rne"]);
  });

  it("switches a replay buffer's format with the same bits on sim and sim-noaccel, checkpoint included", async () => {
    const [sim, noaccel] = await runs("boundary:3@replay=fp16,weight=fp16", { strategy: "replay" });
    expect(switches(sim.report)).toEqual(expectedSwitches(2 * iterations, (t) => (t % iterations < 3 ? 1 : 0)));
    expect(learning(noaccel.report)).toEqual(learning(sim.report));
    expect(noaccel.checkpointCrc).toBe(sim.checkpointCrc);
  });

  it("counts GDumb's steps, which run when an experience ends, as that experience's", async () => {
    const [sim] = await runs("schedule:e1@acc=fp32", { strategy: "gdumb" });
    expect(switches(sim.report)).toEqual([[iterations, 1]]);
  });

  it("is the same report from the same seed, and static gives what a run without a policy gives", async () => {
    const [a] = await runs("cyclic:6-8:5");
    const [b] = await runs("cyclic:6-8:5");
    expect(learning(b.report)).toEqual(learning(a.report));
    expect(b.report.telemetry.map((t) => t.precision)).toEqual(a.report.telemetry.map((t) => t.precision));
    const [plain] = await runs("static");
    expect(plain.report.telemetry.every((t) => t.precision === undefined)).toBe(true);
    expect(plain.report.modelChecksum).not.toBe(a.report.modelChecksum);
  });
});
