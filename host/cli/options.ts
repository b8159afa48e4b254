// Option values the commands share, validated once: "expected X, received Y" on a bad one (exit 2).
import { expected } from "../errors.js";

/** A whole number from low to high, written in decimal digits (no sign, no exponent). */
export function integerOption(flag: string, text: string, low: number, high: number): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || value < low || value > high) throw expected(`${flag} to be an integer from ${low} to ${high}`, text);
  return value;
}
