// The short string form of a precision spec:
//
//   spec  = [preset] { "," key "=" value }          e.g. "fp8-mixed,gemm=fast"
//   role  = format [":" rounding [":" srBits]]       e.g. "weight=e4m3:sr", "acc=fp16:sr:12"
//   master=none | role     fma=on|off     gemm=exact|fast
//   lossScale=none | <scale> | static:<scale> | dynamic[:<initial>[:<interval>]]
//   layer<N>.<role>=role                              e.g. "layer2.acc=fp32" (weight, activation, error, gradient, mul, acc)
//
// Without a preset the base is fp32. Keys are case-insensitive; every key may appear once.
import { expected, UsageError } from "../errors.js";
import { parseFormat, parseRounding, roundingName } from "../formats/parse.js";
import { PRESET_NAMES, preset } from "./presets.js";
import {
  DYNAMIC_SCALE_INITIAL,
  DYNAMIC_SCALE_INTERVAL,
  LOSS_SCALE_MAX,
  LOSS_SCALE_MIN,
  ROLE_NAMES,
  LAYER_ROLE_NAMES,
  type LayerOverride,
  type LayerRoleName,
  type LossScaleSpec,
  type PrecisionSpec,
  type RoleName,
  type RoleSpec,
} from "./spec.js";

const OTHER_KEYS = ["fma", "gemm", "lossScale"] as const;
type Key = RoleName | (typeof OTHER_KEYS)[number];
export const PRECISION_KEYS: readonly Key[] = [...ROLE_NAMES, ...OTHER_KEYS];

const KEY_ALIASES: Record<string, Key> = {
  weights: "weight",
  activations: "activation",
  errors: "error",
  gradients: "gradient",
  grad: "gradient",
  accumulator: "acc",
  "loss-scale": "lossScale",
  loss_scale: "lossScale",
  lossscale: "lossScale",
};

const SR_BITS_MAX = 32;
const ON = ["on", "true", "yes", "1"];
const OFF = ["off", "false", "no", "0"];

function keyOf(text: string, item: string): Key {
  const lower = text.trim().toLowerCase();
  const key = (PRECISION_KEYS as readonly string[]).find((k) => k.toLowerCase() === lower) ?? KEY_ALIASES[lower];
  if (!key) throw expected(`a precision key (${PRECISION_KEYS.join(", ")}) in "${item}"`, text.trim());
  return key as Key;
}

/** Runs `parse`, prefixing a UsageError with the item it came from. */
function within<T>(item: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`in precision item "${item}": ${error.message}`);
    throw error;
  }
}

/** format[:rounding[:srBits]] for one role. */
export function parseRole(role: RoleName, value: string, item = `${role}=${value}`): RoleSpec {
  const parts = value.split(":").map((p) => p.trim());
  if (parts.length > 3 || parts[0] === "") {
    throw expected(`${role}=<format>[:<rounding>[:<sr bits>]] in "${item}"`, value);
  }
  const format = within(item, () => parseFormat(parts[0]));
  if ((format.kind === "mxfloat" || format.kind === "mxint") && role !== "replay") {
    throw expected(
      `a scalar format for ${role} in "${item}" (MX block formats share one scale per 32 values: replay storage only)`,
      parts[0],
    );
  }
  const rounding = parts.length > 1 ? roundingName(within(item, () => parseRounding(parts[1]))) : "rne";
  const spec: RoleSpec = { format: format.id, rounding };
  if (parts.length === 3) {
    if (rounding !== "sr") throw expected(`no random-bit count after ${rounding} in "${item}" (only sr takes one)`, parts[2]);
    const bits = Number(parts[2]);
    if (!/^\d+$/.test(parts[2]) || bits < 1 || bits > SR_BITS_MAX) {
      throw expected(`SR random bits from 1 to ${SR_BITS_MAX} in "${item}"`, parts[2]);
    }
    spec.srBits = bits;
  }
  return spec;
}

function parseScale(text: string, item: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < LOSS_SCALE_MIN || value > LOSS_SCALE_MAX) {
    throw expected(`a loss scale from 2^-64 to 2^64 in "${item}"`, text);
  }
  return value;
}

export function parseLossScale(value: string, item = `lossScale=${value}`): LossScaleSpec {
  const parts = value.trim().toLowerCase().split(":");
  const allowed = "none, <scale>, static:<scale> or dynamic[:<initial>[:<interval>]]";
  if (parts[0] === "none" && parts.length === 1) return { kind: "none" };
  if (parts[0] === "static" && parts.length === 2) return { kind: "static", scale: parseScale(parts[1], item) };
  if (parts[0] === "dynamic" && parts.length <= 3) {
    const initial = parts.length > 1 ? parseScale(parts[1], item) : DYNAMIC_SCALE_INITIAL;
    let interval = DYNAMIC_SCALE_INTERVAL;
    if (parts.length > 2) {
      interval = Number(parts[2]);
      if (!/^\d+$/.test(parts[2]) || interval < 1 || interval > 2 ** 31 - 1) {
        throw expected(`a growth interval (clean steps before the scale doubles) from 1 to 2^31-1 in "${item}"`, parts[2]);
      }
    }
    return { kind: "dynamic", initial, interval };
  }
  if (parts.length === 1 && /^[0-9.e+-]+$/.test(parts[0])) return { kind: "static", scale: parseScale(parts[0], item) };
  throw expected(`lossScale=${allowed}`, value);
}

function parseSwitch(value: string, item: string): boolean {
  const lower = value.trim().toLowerCase();
  if (ON.includes(lower)) return true;
  if (OFF.includes(lower)) return false;
  throw expected(`on or off in "${item}"`, value);
}

/** Applies one key=value to a spec. */
function apply(spec: PrecisionSpec, key: Key, value: string, item: string): void {
  switch (key) {
    case "fma":
      spec.fma = parseSwitch(value, item);
      return;
    case "gemm": {
      const mode = value.trim().toLowerCase();
      if (mode !== "exact" && mode !== "fast") throw expected(`gemm=exact or gemm=fast in "${item}"`, value);
      spec.gemm = mode;
      return;
    }
    case "lossScale":
      spec.lossScale = parseLossScale(value, item);
      return;
    case "master":
      spec.master = value.trim().toLowerCase() === "none" ? null : parseRole("master", value, item);
      return;
    default:
      spec[key] = parseRole(key, value, item);
  }
}

const LAYER_KEY = /^layer(\d+)\.(\w+)$/i;

/** layer<N>.<role>=<value>: one per-layer override, added to the spec's list in layer and role order. */
function applyLayer(spec: PrecisionSpec, match: RegExpExecArray, value: string, item: string): void {
  const layer = Number(match[1]);
  const name = match[2].toLowerCase();
  const role = (LAYER_ROLE_NAMES as readonly string[]).find((r) => r === name) ?? KEY_ALIASES[name];
  if (!role || !(LAYER_ROLE_NAMES as readonly string[]).includes(role)) {
    throw expected(`a role of a layer's own (${LAYER_ROLE_NAMES.join(", ")}; master, optimizer and replay are the model's) in "${item}"`, match[2]);
  }
  const overrides = spec.layers ?? [];
  if (overrides.some((o) => o.layer === layer && o.role === role)) throw expected(`each precision key once`, `layer${layer}.${role} twice`);
  overrides.push({ layer, role: role as LayerRoleName, spec: parseRole(role as RoleName, value, item) });
  const order = (o: LayerOverride) => o.layer * 16 + LAYER_ROLE_NAMES.indexOf(o.role);
  spec.layers = overrides.sort((a, b) => order(a) - order(b));
}

/**
 * Parses the short string form; a bad part is a UsageError naming it and what is allowed. Items without a
 * leading preset change `base` (a copy of it; default fp32).
 */
export function parsePrecision(text: string, base?: PrecisionSpec): PrecisionSpec {
  const source = String(text ?? "");
  const items = source.split(",").map((item) => item.trim());
  if (source.trim() === "") {
    throw expected(`a precision spec: a preset (${PRESET_NAMES.join(", ")}) and/or key=value items`, source);
  }
  let spec = base ? structuredClone(base) : preset("fp32")!;
  const seen = new Set<Key>();
  items.forEach((item, index) => {
    if (item === "") throw expected(`a precision item between commas in "${source}"`, item);
    const eq = item.indexOf("=");
    if (eq < 0) {
      const named = index === 0 ? preset(item.toLowerCase()) : undefined;
      if (named) {
        spec = named;
        return;
      }
      throw expected(
        index === 0
          ? `a preset (${PRESET_NAMES.join(", ")}) or key=value as the first precision item`
          : `key=value after the first precision item (a preset may only come first)`,
        item,
      );
    }
    const layerKey = LAYER_KEY.exec(item.slice(0, eq).trim());
    if (layerKey) {
      applyLayer(spec, layerKey, item.slice(eq + 1), item);
      return;
    }
    const key = keyOf(item.slice(0, eq), item);
    if (seen.has(key)) throw expected(`each precision key once`, `${key} twice`);
    seen.add(key);
    apply(spec, key, item.slice(eq + 1), item);
  });
  return spec;
}

function roleText(role: RoleSpec): string {
  return `${role.format}:${role.rounding}${role.srBits !== undefined ? `:${role.srBits}` : ""}`;
}

export function lossScaleText(scale: LossScaleSpec): string {
  if (scale.kind === "none") return "none";
  if (scale.kind === "static") return `static:${scale.scale}`;
  return `dynamic:${scale.initial}:${scale.interval}`;
}

function itemText(spec: PrecisionSpec, key: Key): string {
  switch (key) {
    case "fma":
      return `fma=${spec.fma ? "on" : "off"}`;
    case "gemm":
      return `gemm=${spec.gemm}`;
    case "lossScale":
      return `lossScale=${lossScaleText(spec.lossScale)}`;
    case "master":
      return `master=${spec.master ? roleText(spec.master) : "none"}`;
    default:
      return `${key}=${roleText(spec[key])}`;
  }
}

/** The per-layer items, in the spec's order. */
function layerItems(spec: PrecisionSpec): string[] {
  return (spec.layers ?? []).map((o) => `layer${o.layer}.${o.role}=${roleText(o.spec)}`);
}

/** Every key spelled out: parses back to the same spec. */
export function precisionText(spec: PrecisionSpec): string {
  return [...PRECISION_KEYS.map((key) => itemText(spec, key)), ...layerItems(spec)].join(",");
}

/** The shortest form: the nearest preset followed by the items that differ from it. */
export function shortPrecisionText(spec: PrecisionSpec): string {
  let best = "";
  for (const name of PRESET_NAMES) {
    const base = preset(name)!;
    const diffs = PRECISION_KEYS.filter((key) => itemText(base, key) !== itemText(spec, key)).map((key) => itemText(spec, key));
    const text = [name, ...diffs, ...layerItems(spec)].join(",");
    if (best === "" || text.length < best.length) best = text;
  }
  return best;
}
