// Precision policies (docs/precision.md, Policies): the short string form of --precision-policy, the
// precision states each one switches between (state 0 is the run's spec), and their encoding: the states
// go into the model blob (CFG_STATES, assembly/nn/abi.ts), the rule's words into the strategy blob
// (CL_POLICY_*, assembly/cl/abi.ts). The device decides every switch; the host only describes it.
//
//   static                                   every step in the run's spec (the default)
//   schedule:<at>@<spec>[;<at>@<spec>...]    at = e<N> (experience N starts) or s<N> (run step N)
//   boundary:<steps>[@<spec>][:drift[=<window>[,<k>]]]   <spec> for the first <steps> steps of every
//                                            experience (with drift: after every drift of the loss)
//   cyclic:<low>-<high>:<period>[:<role>+<role>...]   CPT's cosine cycle of bit widths (default roles weight+activation)
//   adaptive:<role>+<role>...:<format>[><format>...][:<key>=<value>,...]   each layer's roles climb the
//                                            rungs (the run's format, then these) by their numeric health
//
// A <spec> without a preset changes the run's spec (e.g. "acc=fp32,error=fp16"); with one it replaces it.
import * as nn from "../../assembly/nn/abi.js";
import * as cl from "../../assembly/cl/abi.js";
import { expected, UsageError } from "../errors.js";
import { parseFormat } from "../formats/parse.js";
import { encodeRoles } from "./encode.js";
import { lossScaleText, parsePrecision, shortPrecisionText } from "./parse.js";
import { ROLE_NAMES, type PrecisionSpec, type RoleName } from "./spec.js";

export const POLICY_NAMES = ["static", "schedule", "boundary", "cyclic", "adaptive"] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

export interface ScheduleChange {
  trigger: "experience" | "step";
  at: number;
  /** Index into the policy's states (0: the run's spec). */
  state: number;
}

export interface PrecisionPolicy {
  name: PolicyName;
  /** The text it was parsed from, normalised. */
  text: string;
  /** Every state the device may run in: [0] is the run's spec. */
  states: PrecisionSpec[];
  changes: ScheduleChange[];
  steps: number;
  period: number;
  low: number;
  high: number;
  /** cyclic: the roles whose width cycles; adaptive: the roles each layer moves on its own. */
  roles: RoleName[];
  /** adaptive: the controller's thresholds and patiences. */
  adaptive?: AdaptiveSettings;
  /** boundary for task-free streams: the loss-drift detector that starts its steps instead of experiences. */
  drift?: DriftSettings;
}

/** boundary's drift detector (docs/precision.md, Policies). */
export interface DriftSettings {
  /** Step losses a window holds. */
  window: number;
  /** A window's mean above the plateau's by more than k of the plateau's standard deviations is a drift. */
  k: number;
}

export const DRIFT_DEFAULTS: DriftSettings = { window: 10, k: 3 };
/** Longest drift window (assembly/cl/policies/boundary.ts). */
export const DRIFT_WINDOW_MAX = 1024;

/** adaptive's settings (docs/precision.md, Policies). */
export interface AdaptiveSettings {
  /** A step widens when more than this share of a layer's weight updates is swamped ... */
  swamp: number;
  /** ... or more than this share of its values is lost to underflow ... */
  underflow: number;
  /** ... or to overflow. */
  overflow: number;
  /** A step narrows when no value overflowed, swamped updates and underflows are at most half their thresholds, and the range used is below this. */
  range: number;
  /** Steps in a row to move one rung up, and down. */
  widen: number;
  narrow: number;
}

export const ADAPTIVE_DEFAULTS: AdaptiveSettings = { swamp: 0.5, underflow: 0.01, overflow: 0.001, range: 0.6, widen: 2, narrow: 50 };
/** The roles adaptive may move: those numeric health counts per layer. */
export const ADAPTIVE_ROLES: readonly RoleName[] = ["weight", "activation", "error", "gradient"];

/** CPT's forward roles (Fu et al., ICLR 2021, Sec. 3: weights and activations cycle, gradients stay). */
export const CYCLIC_DEFAULT_ROLES: readonly RoleName[] = ["weight", "activation"];

const ALLOWED =
  "static, schedule:<e<N>|s<N>>@<spec>[;...], boundary:<steps>[@<spec>][:drift[=<window>[,<k>]]], cyclic:<low>-<high>:<period>[:<role>+<role>...] or adaptive:<role>+<role>...:<format>[><format>...][:<key>=<value>,...]";

function positive(what: string, text: string, min = 1, max = 2 ** 31 - 1): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) throw expected(`${what} from ${min} to ${max}`, text);
  return value;
}

/** A state as the run's spec changed by `text` (or replaced, when it names a preset), checked against the run's. */
function stateSpec(text: string, base: PrecisionSpec, where: string): PrecisionSpec {
  const spec = parsePrecision(text, base);
  checkState(spec, base, where);
  return spec;
}

/** A state may change role formats and roundings only; what the device cannot follow mid-run stays. */
function checkState(spec: PrecisionSpec, base: PrecisionSpec, where: string): void {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (spec.fma !== base.fma || spec.gemm !== base.gemm || !same(spec.lossScale, base.lossScale)) {
    throw new UsageError(
      `expected ${where} to keep the run's fma=${base.fma ? "on" : "off"}, gemm=${base.gemm} and lossScale=${lossScaleText(base.lossScale)} (a policy switches role formats only), received fma=${spec.fma ? "on" : "off"}, gemm=${spec.gemm}, lossScale=${lossScaleText(spec.lossScale)}`,
    );
  }
  if (!same(spec.layers ?? [], base.layers ?? [])) {
    throw new UsageError(`expected ${where} to keep the run's per-layer items (layer<N>.<role>; a layer's own format holds through every state), received other ones`);
  }
  if ((base.layers ?? []).some((o) => o.role === "weight") && !same(spec.weight, base.weight)) {
    throw expected(
      `${where} to keep the run's weight=${base.weight.format}:${base.weight.rounding} (a layer stores its weights in its own format, so the store's layout is fixed)`,
      `weight=${spec.weight.format}:${spec.weight.rounding}`,
    );
  }
  if ((spec.master === null) !== (base.master === null)) {
    throw expected(`${where} to keep the run's master copy ${base.master ? "present" : "absent"} (a copy cannot appear or vanish mid-run)`, `master=${spec.master ? spec.master.format : "none"}`);
  }
}

/** The index of `spec` in `states`, added when new. */
function stateIndex(states: PrecisionSpec[], spec: PrecisionSpec): number {
  const key = JSON.stringify(spec);
  const found = states.findIndex((s) => JSON.stringify(s) === key);
  if (found >= 0) return found;
  if (states.length > nn.PRECISION_MAX_STATES) {
    throw expected(`at most ${nn.PRECISION_MAX_STATES} precision states besides the run's spec`, `${states.length} or more`);
  }
  states.push(spec);
  return states.length - 1;
}

/** The format a cycled role takes at width `bits`: e<E>m<bits - 1 - E>, E the role's exponent bits in the run's spec. */
export function cyclicFormat(base: PrecisionSpec, role: RoleName, bits: number): string {
  const spec = role === "master" ? base.master : base[role];
  if (!spec) throw expected(`a role the run's spec has for cyclic`, `${role} (none)`);
  const format = parseFormat(spec.format);
  if (format.kind !== "float") throw expected(`a float format for the cycled role ${role} in the run's spec`, spec.format);
  const m = bits - 1 - format.e;
  if (m < 0 || m > 23) throw expected(`cyclic widths from ${format.e + 1} to ${format.e + 24} for ${role} (${spec.format}: 1 sign, ${format.e} exponent bits)`, bits);
  return parseFormat(`e${format.e}m${m}`).id;
}

function parseCyclic(params: string, base: PrecisionSpec): Pick<PrecisionPolicy, "low" | "high" | "period" | "roles" | "states"> {
  const parts = params.split(":");
  const range = /^(\d+)-(\d+)$/.exec(parts[0]?.trim() ?? "");
  if (!range || parts.length < 2 || parts.length > 3) throw expected(`cyclic:<low>-<high>:<period>[:<role>+<role>...]`, `cyclic:${params}`);
  const low = positive("a lowest cyclic bit width", range[1], 2, 32);
  const high = positive("a highest cyclic bit width", range[2], low, 32);
  if (high - low + 1 > nn.PRECISION_MAX_STATES) throw expected(`at most ${nn.PRECISION_MAX_STATES} widths from low to high in cyclic`, `${low}-${high}`);
  const period = positive("a cyclic period in steps", parts[1]);
  const roles = (parts[2] ?? CYCLIC_DEFAULT_ROLES.join("+")).split("+").map((r) => r.trim().toLowerCase());
  for (const role of roles) {
    if (!(ROLE_NAMES as readonly string[]).includes(role) || role === "replay" || role === "master") {
      throw expected(`cycled roles among ${ROLE_NAMES.filter((r) => r !== "replay" && r !== "master").join(", ")}`, role);
    }
  }
  const states = [base];
  for (let bits = low; bits <= high; bits++) {
    const spec = structuredClone(base);
    for (const role of roles as RoleName[]) {
      if (role === "master") continue;
      spec[role] = { ...spec[role], format: cyclicFormat(base, role, bits) };
    }
    // One state per width, even when two widths give the same spec: the device finds width B at B - low + 1.
    states.push(spec);
  }
  return { low, high, period, roles: roles as RoleName[], states };
}

/** `drift[=<window>[,<k>]]` of boundary. */
function parseDrift(text: string): DriftSettings {
  const eq = text.indexOf("=");
  if (eq < 0) return { ...DRIFT_DEFAULTS };
  const parts = text.slice(eq + 1).split(",");
  if (parts.length > 2) throw expected("boundary's drift=<window>[,<k>]", text);
  const window = positive("a boundary drift window in steps", parts[0].trim(), 2, DRIFT_WINDOW_MAX);
  if (parts[1] === undefined) return { window, k: DRIFT_DEFAULTS.k };
  const k = Number(parts[1]);
  if (parts[1].trim() === "" || !Number.isFinite(k) || k < 0 || k > 1e6) throw expected("a boundary drift threshold k from 0 to 1e6 standard deviations", parts[1].trim());
  return { window, k };
}

/** A share from 0 to 1. */
function fraction(what: string, text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0 || value > 1) throw expected(`${what} from 0 to 1`, text);
  return value;
}

function parseAdaptive(params: string, base: PrecisionSpec): Pick<PrecisionPolicy, "roles" | "states" | "adaptive"> {
  const parts = params.split(":");
  const usage = "adaptive:<role>+<role>...:<format>[><format>...][:<key>=<value>,...]";
  if (parts.length < 2 || parts.length > 3) throw expected(usage, `adaptive:${params}`);
  const roles = parts[0].split("+").map((r) => r.trim().toLowerCase());
  for (const role of roles) {
    if (!(ADAPTIVE_ROLES as readonly string[]).includes(role)) throw expected(`adaptive roles among ${ADAPTIVE_ROLES.join(", ")} (those numeric health counts per layer)`, role);
  }
  if (new Set(roles).size !== roles.length) throw expected("each adaptive role once", parts[0]);
  for (const o of base.layers ?? []) {
    if ((roles as string[]).includes(o.role)) throw expected(`adaptive roles no layer<N>.<role> item pins (each layer's own rung moves them)`, `layer${o.layer}.${o.role} with adaptive's ${o.role}`);
  }
  const rungs = parts[1].split(">").map((f) => f.trim());
  if (rungs.length > nn.PRECISION_MAX_STATES) throw expected(`at most ${nn.PRECISION_MAX_STATES} adaptive rungs above the run's format`, rungs.length);
  const states = [base];
  for (const rung of rungs) {
    const format = parseFormat(rung);
    if (format.kind === "mxfloat" || format.kind === "mxint") throw expected("an adaptive rung that is not a block (MX) format", rung);
    const spec = structuredClone(base);
    for (const role of roles as RoleName[]) {
      if (role === "master") continue;
      spec[role] = { ...spec[role], format: format.id };
    }
    checkState(spec, base, `the adaptive rung "${rung}"`);
    // One state per rung, even when two rungs give the same spec: rung k is state k.
    states.push(spec);
  }
  const settings: AdaptiveSettings = { ...ADAPTIVE_DEFAULTS };
  const seen = new Set<string>();
  for (const item of parts[2] === undefined ? [] : parts[2].split(",")) {
    const eq = item.indexOf("=");
    const key = (eq < 0 ? item : item.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? "" : item.slice(eq + 1).trim();
    if (!(key in ADAPTIVE_DEFAULTS)) throw expected(`an adaptive setting swamp=, underflow=, overflow=, range= (shares 0..1), widen= or narrow= (steps)`, item.trim());
    if (seen.has(key)) throw expected("each adaptive setting once", item.trim());
    seen.add(key);
    const k = key as keyof AdaptiveSettings;
    settings[k] = k === "widen" || k === "narrow" ? positive(`adaptive ${k} steps`, value) : fraction(`an adaptive ${k} share`, value);
  }
  return { roles: roles as RoleName[], states, adaptive: settings };
}

/** Parses --precision-policy against the run's spec; a bad part is a UsageError naming it and what is allowed. */
export function parsePolicy(text: string, base: PrecisionSpec): PrecisionPolicy {
  const source = String(text ?? "").trim();
  const colon = source.indexOf(":");
  const name = (colon < 0 ? source : source.slice(0, colon)).trim().toLowerCase();
  let params = colon < 0 ? "" : source.slice(colon + 1);
  const policy: PrecisionPolicy = { name: "static", text: "static", states: [base], changes: [], steps: 0, period: 0, low: 0, high: 0, roles: [] };
  if (!(POLICY_NAMES as readonly string[]).includes(name)) throw expected(`a precision policy: ${ALLOWED}`, source);
  policy.name = name as PolicyName;
  if (name === "static") {
    if (colon >= 0) throw expected("static without parameters", source);
    return policy;
  }
  if (params.trim() === "") throw expected(`parameters after ${name}: (${ALLOWED})`, source);
  if (name === "schedule") {
    const entries = params.split(";").map((e) => e.trim());
    if (entries.length > cl.POLICY_MAX_CHANGES) throw expected(`at most ${cl.POLICY_MAX_CHANGES} schedule changes`, entries.length);
    for (const entry of entries) {
      const at = entry.indexOf("@");
      const trigger = /^([es])(\d+)$/i.exec(at < 0 ? "" : entry.slice(0, at).trim());
      if (!trigger) throw expected(`a schedule change e<experience>@<spec> or s<step>@<spec>`, entry);
      const spec = stateSpec(entry.slice(at + 1), base, `the schedule change "${entry}"`);
      policy.changes.push({
        trigger: trigger[1].toLowerCase() === "e" ? "experience" : "step",
        at: positive(`a schedule ${trigger[1].toLowerCase() === "e" ? "experience" : "step"}`, trigger[2], 0),
        state: stateIndex(policy.states, spec),
      });
    }
  } else if (name === "boundary") {
    const driftAt = params.search(/:drift(=[^:@]*)?\s*$/i);
    if (driftAt >= 0) {
      policy.drift = parseDrift(params.slice(driftAt + 1));
      params = params.slice(0, driftAt);
    }
    const at = params.indexOf("@");
    policy.steps = positive("boundary steps", at < 0 ? params : params.slice(0, at));
    const high = at < 0 ? "weight=fp32,activation=fp32,error=fp32,gradient=fp32,mul=fp32,acc=fp32" : params.slice(at + 1);
    // State 1 is the higher precision even when it equals the run's spec (then nothing switches).
    policy.states.push(stateSpec(high, base, `the boundary spec "${high}"`));
  } else if (name === "adaptive") {
    Object.assign(policy, parseAdaptive(params, base));
  } else {
    Object.assign(policy, parseCyclic(params, base));
  }
  policy.text = policyText(policy);
  return policy;
}

/** The normalised text of a policy: parses back to the same policy with the same run spec. */
export function policyText(policy: PrecisionPolicy): string {
  const spec = (s: number) => shortPrecisionText(policy.states[s]);
  switch (policy.name) {
    case "static":
      return "static";
    case "schedule":
      return `schedule:${policy.changes.map((c) => `${c.trigger === "experience" ? "e" : "s"}${c.at}@${spec(c.state)}`).join(";")}`;
    case "boundary":
      return `boundary:${policy.steps}@${spec(1)}${policy.drift ? `:drift=${policy.drift.window},${policy.drift.k}` : ""}`;
    case "cyclic":
      return `cyclic:${policy.low}-${policy.high}:${policy.period}:${policy.roles.join("+")}`;
    case "adaptive": {
      const a = policy.adaptive!;
      const rungs = policy.states.slice(1).map((s) => s[policy.roles[0] as Exclude<RoleName, "master">].format);
      return `adaptive:${policy.roles.join("+")}:${rungs.join(">")}:swamp=${a.swamp},underflow=${a.underflow},overflow=${a.overflow},range=${a.range},widen=${a.widen},narrow=${a.narrow}`;
    }
  }
}

/** Writes the states (all but state 0, which is the run's spec in CFG_ROLES) into a model blob. */
export function encodeStates(policy: PrecisionPolicy, words: Uint32Array): void {
  const extra = policy.states.slice(1);
  words[nn.CFG_STATE_COUNT] = extra.length;
  extra.forEach((spec, i) => encodeRoles(spec, words, nn.CFG_STATES + i * nn.ROLE_COUNT * nn.ROLE_WORDS));
}

const POLICY_IDS: Record<PolicyName, number> = {
  static: cl.POLICY_STATIC,
  schedule: cl.POLICY_SCHEDULE,
  boundary: cl.POLICY_BOUNDARY,
  cyclic: cl.POLICY_CYCLIC,
  adaptive: cl.POLICY_ADAPTIVE,
};

const ROLE_IDS: Record<RoleName, number> = {
  weight: nn.ROLE_WEIGHT,
  activation: nn.ROLE_ACTIVATION,
  error: nn.ROLE_ERROR,
  gradient: nn.ROLE_GRADIENT,
  mul: nn.ROLE_MUL,
  acc: nn.ROLE_ACC,
  master: nn.ROLE_MASTER,
  optimizer: nn.ROLE_OPTIMIZER,
  replay: nn.ROLE_REPLAY,
};

/** Writes the rule's words into a strategy blob. */
export function encodePolicy(policy: PrecisionPolicy, words: Uint32Array): void {
  words[cl.CL_POLICY] = POLICY_IDS[policy.name];
  words[cl.CL_POLICY_STEPS] = policy.steps;
  words[cl.CL_POLICY_PERIOD] = policy.period;
  words[cl.CL_POLICY_LOW] = policy.low;
  words[cl.CL_POLICY_HIGH] = policy.high;
  words[cl.CL_POLICY_CHANGE_COUNT] = policy.changes.length;
  if (policy.drift) {
    words[cl.CL_POLICY_DRIFT_WINDOW] = policy.drift.window;
    new Float32Array(words.buffer, words.byteOffset, words.length)[cl.CL_POLICY_DRIFT_K] = policy.drift.k;
  }
  policy.changes.forEach((c, i) => {
    words.set([c.trigger === "experience" ? cl.CHANGE_EXPERIENCE : cl.CHANGE_STEP, c.at, c.state], cl.CL_POLICY_CHANGES + i * cl.CHANGE_WORDS);
  });
  const a = policy.adaptive;
  if (policy.name !== "adaptive" || !a) return;
  words[cl.CL_POLICY_ROLES] = policy.roles.reduce((mask, r) => mask | (1 << ROLE_IDS[r]), 0);
  const reals = new Float32Array(words.buffer, words.byteOffset, words.length);
  reals[cl.CL_POLICY_SWAMP] = a.swamp;
  reals[cl.CL_POLICY_UNDERFLOW] = a.underflow;
  reals[cl.CL_POLICY_OVERFLOW] = a.overflow;
  reals[cl.CL_POLICY_RANGE] = a.range;
  words[cl.CL_POLICY_WIDEN] = a.widen;
  words[cl.CL_POLICY_NARROW] = a.narrow;
}

/** True when the policy reads numeric health on the device (the model must count it: FLAG_HEALTH). */
export function policyCountsHealth(policy: PrecisionPolicy): boolean {
  return policy.name === "adaptive";
}

/** One row of a precision timeline: from `step` on, `role` of `layer` ("all": every layer) is in `format`. */
export interface TimelineEntry {
  step: number;
  /** The state switched to; for one layer's role, its rung (the role's format in that state). */
  state: number;
  layer: "all" | number;
  role: RoleName;
  format: string;
  rounding: string;
}

/** A TRAIN reply's switch: the whole model's state (layer and role 255), or one layer's role to a rung. */
export interface SwitchItem {
  step: number;
  state: number;
  layer: number;
  role: number;
}

/** A switch of one layer's role (adaptive), as its timeline row. */
export function layerTimelineEntry(states: readonly PrecisionSpec[], s: SwitchItem): TimelineEntry {
  const role = ROLE_NAMES.find((r) => ROLE_IDS[r] === s.role);
  const spec = states[s.state];
  const resolved = role === undefined || spec === undefined ? null : role === "master" ? spec.master : spec[role];
  if (!role || !resolved) throw new Error(`a precision switch names role ${s.role} in state ${s.state}, which the run's states do not have`);
  return { step: s.step, state: s.state, layer: s.layer, role, format: resolved.format, rounding: resolved.rounding };
}

/** The roles a switch from state `from` to state `to` at `step` changes, as timeline rows. */
export function timelineEntries(states: readonly PrecisionSpec[], from: number, to: number, step: number): TimelineEntry[] {
  const rows: TimelineEntry[] = [];
  for (const role of ROLE_NAMES) {
    const before = role === "master" ? states[from].master : states[from][role];
    const after = role === "master" ? states[to].master : states[to][role];
    if (!after || JSON.stringify(before) === JSON.stringify(after)) continue;
    rows.push({ step, state: to, layer: "all", role, format: after.format, rounding: after.rounding });
  }
  return rows;
}
