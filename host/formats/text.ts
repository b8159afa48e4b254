// Text forms of f32 values shared by every command and report.

/** The shortest decimal that reads back as the same f32; nan, inf, -inf spelled so, -0 kept. */
export function shortestF32(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  const target = Math.fround(value);
  for (let digits = 1; digits <= 9; digits++) {
    const text = target.toPrecision(digits);
    if (Math.fround(Number(text)) === target) return tidy(text);
  }
  return tidy(target.toPrecision(9)); // 9 significant digits always identify an f32
}

/** Plain notation where it is short, exponent notation with a bare mantissa otherwise. */
function tidy(text: string): string {
  let [mantissa, exponent] = text.split("e");
  if (mantissa.includes(".")) mantissa = mantissa.replace(/0+$/, "").replace(/\.$/, "");
  if (exponent === undefined) return mantissa;
  const e = Number(exponent);
  if (e >= -6 && e < 21) return tidy(Number(`${mantissa}e${e}`).toString());
  return `${mantissa}e${e}`;
}

/** Reads one user value as the nearest f32, or returns null when it is not a number. */
export function parseF32(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (t === "nan" || t === "+nan" || t === "-nan") return NaN;
  if (/^[+]?(inf|infinity)$/.test(t)) return Infinity;
  if (/^-(inf|infinity)$/.test(t)) return -Infinity;
  if (/^[+-]?0x[0-9a-f]+$/.test(t)) return Math.fround(Number.parseInt(t, 16));
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) return null;
  return Math.fround(Number(t));
}

/** Hex code padded to the width of `bits`. */
export function hexCode(code: number, bits: number): string {
  return `0x${(code >>> 0).toString(16).padStart(Math.ceil(bits / 4), "0")}`;
}
