// The binary form of a precision spec inside the device config blob (assembly/nn/abi.ts): per role its
// format word, rounding code and SR bits (0 = all), then the GEMM flags and the loss-scale words.
import { parseFormat, parseRounding } from "../formats/parse.js";
import {
  CFG_GEMM,
  CFG_LOSS_SCALE,
  CFG_LOSS_SCALE_INTERVAL,
  CFG_LOSS_SCALE_KIND,
  CFG_ROLES,
  GEMM_FAST,
  GEMM_FMA,
  LOSS_SCALE_DYNAMIC,
  LOSS_SCALE_NONE,
  LOSS_SCALE_STATIC,
  ROLE_WORDS,
  CFG_OVERRIDE_COUNT,
  CFG_OVERRIDES,
  OVERRIDE_WORDS,
} from "../../assembly/nn/abi.js";
import { ROLE_NAMES, type PrecisionSpec, type RoleSpec } from "./spec.js";

const f32Bits = (value: number): number => new Uint32Array(new Float32Array([value]).buffer)[0];

function roleWords(role: RoleSpec | null): [number, number, number] {
  if (!role) return [0, 0, 0];
  return [parseFormat(role.format).word, parseRounding(role.rounding), role.srBits ?? 0];
}

/** Writes the spec's role words at word `at` (CFG_ROLES, or a precision state of CFG_STATES). */
export function encodeRoles(spec: PrecisionSpec, words: Uint32Array, at: number): void {
  ROLE_NAMES.forEach((name, index) => {
    const role = name === "master" ? spec.master : spec[name];
    words.set(roleWords(role), at + index * ROLE_WORDS);
  });
}

/** Writes the spec's words into a config blob. */
export function encodePrecision(spec: PrecisionSpec, words: Uint32Array): void {
  encodeRoles(spec, words, CFG_ROLES);
  const overrides = spec.layers ?? [];
  words[CFG_OVERRIDE_COUNT] = overrides.length;
  overrides.forEach((o, i) => {
    words.set([o.layer, ROLE_NAMES.indexOf(o.role), ...roleWords(o.spec)], CFG_OVERRIDES + i * OVERRIDE_WORDS);
  });
  words[CFG_GEMM] = (spec.fma ? GEMM_FMA : 0) | (spec.gemm === "fast" ? GEMM_FAST : 0);
  const scale = spec.lossScale;
  words[CFG_LOSS_SCALE_KIND] = scale.kind === "none" ? LOSS_SCALE_NONE : scale.kind === "static" ? LOSS_SCALE_STATIC : LOSS_SCALE_DYNAMIC;
  words[CFG_LOSS_SCALE] = f32Bits(scale.kind === "none" ? 1 : scale.kind === "static" ? scale.scale : scale.initial);
  words[CFG_LOSS_SCALE_INTERVAL] = scale.kind === "dynamic" ? scale.interval : 0;
}
