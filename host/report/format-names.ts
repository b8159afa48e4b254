// Names the format words the board reports (TELEMETRY macsByFormat) with the canonical ids of
// spec/formats.json, so reports say "e4m3", not 0x00030410.
import {
  KINDS,
  NAMED_FORMATS,
  SPECIALS,
  WORD_E_MASK,
  WORD_E_SHIFT,
  WORD_KIND_MASK,
  WORD_KIND_SHIFT,
  WORD_M_MASK,
  WORD_M_SHIFT,
  WORD_NO_SUBNORMALS_MASK,
  WORD_NO_SUBNORMALS_SHIFT,
  WORD_SATURATE_MASK,
  WORD_SATURATE_SHIFT,
  WORD_SPECIALS_MASK,
  WORD_SPECIALS_SHIFT,
} from "../generated/formats.js";

const field = (word: number, shift: number, mask: number) => (word >>> shift) & mask;

/**
 * The id of a format word: a named format ("e4m3"), e<E>m<M> or fixed<WL>.<FL>, with ":sat" when a
 * float format with inf or NaN saturates and ":nosub" when it flushes subnormals.
 */
export function formatWordName(word: number): string {
  const kind = KINDS.find((k) => k.code === field(word, WORD_KIND_SHIFT, WORD_KIND_MASK))?.name;
  const specials = SPECIALS.find((s) => s.code === field(word, WORD_SPECIALS_SHIFT, WORD_SPECIALS_MASK))?.name;
  const e = field(word, WORD_E_SHIFT, WORD_E_MASK);
  const m = field(word, WORD_M_SHIFT, WORD_M_MASK);
  if (kind === undefined || specials === undefined) return `format 0x${(word >>> 0).toString(16).padStart(8, "0")}`;
  const named = NAMED_FORMATS.find((f) => f.kind === kind && f.e === e && f.m === m && f.specials === specials);
  let name = named ? named.id : kind === "fixed" ? `fixed${e}.${m}` : kind === "float" ? `e${e}m${m}` : `${kind}-e${e}m${m}`;
  if (kind === "float" && specials !== "none" && field(word, WORD_SATURATE_SHIFT, WORD_SATURATE_MASK)) name += ":sat";
  if (kind === "float" && field(word, WORD_NO_SUBNORMALS_SHIFT, WORD_NO_SUBNORMALS_MASK)) name += ":nosub";
  return name;
}
