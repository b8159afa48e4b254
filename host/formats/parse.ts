// Names of formats and rounding modes, resolved to the u32 format word the device understands.
import {
  NAMED_FORMATS, ROUNDING, LIMITS, KIND_FLOAT, KIND_FIXED, KIND_MXFLOAT, KIND_MXINT, SPECIALS_IEEE,
  SPECIALS_FN, SPECIALS_NONE, WORD_KIND_SHIFT, WORD_SPECIALS_SHIFT, WORD_NO_SUBNORMALS_SHIFT,
  WORD_SATURATE_SHIFT, WORD_E_SHIFT, WORD_M_SHIFT,
} from "../generated/formats.js";
import { expected } from "../errors.js";

export type FormatKind = "float" | "fixed" | "mxfloat" | "mxint";
export type Specials = "ieee" | "fn" | "none";

export interface FormatSpec {
  /** Canonical name: a named id, e<E>m<M>, or fixed<WL>.<FL>. */
  id: string;
  kind: FormatKind;
  /** Exponent bits, or word length for fixed point. */
  e: number;
  /** Mantissa bits, or fraction length for fixed point. */
  m: number;
  specials: Specials;
  subnormals: boolean;
  saturate: boolean;
  word: number;
}

export interface FormatOptions {
  saturate?: boolean;
  subnormals?: boolean;
}

const KIND_CODES: Record<FormatKind, number> = { float: KIND_FLOAT, fixed: KIND_FIXED, mxfloat: KIND_MXFLOAT, mxint: KIND_MXINT };
const SPECIALS_CODES: Record<Specials, number> = { ieee: SPECIALS_IEEE, fn: SPECIALS_FN, none: SPECIALS_NONE };

export const ALLOWED_FORMATS_TEXT =
  `${NAMED_FORMATS.map((f) => f.id).join(", ")}, e<E>m<M> (${LIMITS.eMin} <= E <= ${LIMITS.eMax}, ` +
  `${LIMITS.mMin} <= M <= ${LIMITS.mMax}) or fixed<WL>.<FL> (${LIMITS.fixedWlMin} <= WL <= ${LIMITS.fixedWlMax}, ` +
  `${LIMITS.fixedFlMin} <= FL <= ${LIMITS.fixedFlMax})`;

export function formatWord(kind: FormatKind, e: number, m: number, specials: Specials, subnormals: boolean, saturate: boolean): number {
  return (
    ((KIND_CODES[kind] << WORD_KIND_SHIFT) |
      (SPECIALS_CODES[specials] << WORD_SPECIALS_SHIFT) |
      ((subnormals ? 0 : 1) << WORD_NO_SUBNORMALS_SHIFT) |
      ((saturate ? 1 : 0) << WORD_SATURATE_SHIFT) |
      (e << WORD_E_SHIFT) |
      (m << WORD_M_SHIFT)) >>>
    0
  );
}

function build(id: string, kind: FormatKind, e: number, m: number, specials: Specials, options: FormatOptions): FormatSpec {
  // Formats with neither inf nor NaN, fixed point and MX elements can only saturate.
  const saturate = kind !== "float" || specials === "none" ? true : (options.saturate ?? false);
  const subnormals = kind === "float" ? (options.subnormals ?? true) : true;
  return { id, kind, e, m, specials, subnormals, saturate, word: formatWord(kind, e, m, specials, subnormals, saturate) };
}

/** Resolves a format name (case-insensitive, aliases allowed) or throws a UsageError naming what is allowed. */
export function parseFormat(name: string, options: FormatOptions = {}): FormatSpec {
  const key = String(name).trim().toLowerCase();
  const named = NAMED_FORMATS.find((f) => f.id === key || (f.aliases as readonly string[]).includes(key));
  if (named) return build(named.id, named.kind as FormatKind, named.e, named.m, named.specials as Specials, options);
  let match = /^e(\d+)m(\d+)$/.exec(key);
  if (match) {
    const e = Number(match[1]);
    const m = Number(match[2]);
    if (e < LIMITS.eMin || e > LIMITS.eMax) throw expected(`exponent bits E in ${LIMITS.eMin}..${LIMITS.eMax} in format e<E>m<M>`, name);
    if (m < LIMITS.mMin || m > LIMITS.mMax) throw expected(`mantissa bits M in ${LIMITS.mMin}..${LIMITS.mMax} in format e<E>m<M>`, name);
    // IEEE-like specials need a binade to reserve and a mantissa to tell NaN from inf; otherwise every code is finite.
    const specials: Specials = e >= 2 && m >= 1 ? "ieee" : "none";
    if (specials === "none" && e > 7) throw expected(`a format with inf and NaN when E = 8 (M >= 1)`, name);
    return build(`e${e}m${m}`, "float", e, m, specials, options);
  }
  match = /^fixed(\d+)\.(\d+)$/.exec(key) ?? /^fixed<(\d+)\.(\d+)>$/.exec(key) ?? /^q(\d+)\.(\d+)$/.exec(key);
  if (match) {
    const wl = Number(match[1]);
    const fl = Number(match[2]);
    if (wl < LIMITS.fixedWlMin || wl > LIMITS.fixedWlMax) throw expected(`word length WL in ${LIMITS.fixedWlMin}..${LIMITS.fixedWlMax} in fixed<WL>.<FL>`, name);
    if (fl < LIMITS.fixedFlMin || fl > LIMITS.fixedFlMax) throw expected(`fraction length FL in ${LIMITS.fixedFlMin}..${LIMITS.fixedFlMax} in fixed<WL>.<FL>`, name);
    return build(`fixed${wl}.${fl}`, "fixed", wl, fl, "none", options);
  }
  throw expected(`a format: ${ALLOWED_FORMATS_TEXT}`, name);
}

export const ROUNDING_NAMES = ROUNDING.map((r) => r.name);

/** Resolves a rounding mode name (or alias) to its code. */
export function parseRounding(name: string): number {
  const key = String(name).trim().toLowerCase();
  const mode = ROUNDING.find((r) => r.name === key || (r.aliases as readonly string[]).includes(key));
  if (!mode) throw expected(`a rounding mode: ${ROUNDING_NAMES.join(", ")}`, name);
  return mode.code;
}

export function roundingName(code: number): string {
  return ROUNDING.find((r) => r.code === code)?.name ?? `#${code}`;
}
