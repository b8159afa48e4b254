// The energy model: picojoules per operation by format, derived from Horowitz's 45 nm figures
// ("Computing's energy problem (and what we can do about it)", ISSCC 2014). docs/energy.md states every
// constant, its source and the derivation rule; board manifests carry the parameters in their `energy` group,
// or name a synthesis result whose per-MAC energy replaces the table (docs/hardware.md).
// The firmware build reads it as the host build compiled it (firmware/board_config.mjs). Reading a
// synthesis result is circuit.ts's, handed in by the callers that run on the host.

/** A published energy figure: an operation of a format with p significand bits and `bits` total bits. */
export interface EnergyAnchor {
  format: string;
  p: number;
  bits: number;
  pj: number;
}

export interface EnergyParams {
  /** Published multiplier energies, by significand width p = m + 1 (Horowitz: fp16 1.1 pJ, fp32 3.7 pJ). */
  multiply: EnergyAnchor[];
  /** Published adder energies, by total width (Horowitz: fp16 0.4 pJ, fp32 0.9 pJ). */
  add: EnergyAnchor[];
  /**
   * The random source of each SR unit: "lfsr" (an r-bit LFSR stepped once per rounding, as SR hardware
   * builds it) or "counter" (a full counter-based generator producing the simulation's 32-bit draw).
   */
  srGenerator: SrGenerator;
  /** One stochastic rounding with r random bits costs srDrawPj + r · srAddPjPerBit (derived from srGenerator). */
  srDrawPj: number;
  srAddPjPerBit: number;
  /** One 64-bit access of the memory the operands live in. */
  memoryPjPer64Bits: number;
  /** One instruction of the host core, all overheads included (the CPU path's cost). */
  cpuPjPerInstruction: number;
  /** Instructions the host core spends per MAC on the CPU path, by GEMM mode. */
  cpuInstructionsPerMac: { exact: number; exactSr: number; fast: number };
  /** Where the accelerator's per-operation figures come from, as reports print it. */
  source: string;
  /**
   * Per-MAC energy of a synthesized MAC lane (`edgecl hw synth --unit lane --target asic`, named by the
   * manifest's `synthesis` key): when set it replaces the multiply, add and SR figures above.
   */
  circuit?: { macPj: number; file: string };
}

export type SrGenerator = "lfsr" | "counter";
export const SR_GENERATORS: readonly SrGenerator[] = ["lfsr", "counter"];

/** Horowitz's integer adders: 8 bits 0.03 pJ, 32 bits 0.1 pJ. */
const INT_ADD_8_PJ = 0.03;
const INT_ADD_32_PJ = 0.1;
/** An r-bit integer add, linear in the width through Horowitz's 8- and 32-bit figures: a + b · r. */
const INT_ADD_PER_BIT_PJ = (INT_ADD_32_PJ - INT_ADD_8_PJ) / 24;
const INT_ADD_FIXED_PJ = INT_ADD_8_PJ - 8 * INT_ADD_PER_BIT_PJ;

/** Energy of an r-bit integer add (Horowitz 2014: 8 bits 0.03 pJ, 32 bits 0.1 pJ, linear in between and beyond). */
export function integerAddPj(bits: number): number {
  return INT_ADD_FIXED_PJ + bits * INT_ADD_PER_BIT_PJ;
}

/**
 * One 32-bit draw of the counter-based stream fmix32((n · 0x9E3779B9) ^ key): two 32-bit multiplies
 * (3.1 pJ each) and five 32-bit add-class steps (0.1 pJ each).
 */
export const COUNTER_DRAW_PJ = 2 * 3.1 + 5 * 0.1;

/**
 * The SR cost per rounding as srDrawPj + r · srAddPjPerBit, for a generator: "lfsr" steps an r-bit LFSR
 * (r flip-flops and XOR taps, charged as an r-bit integer add) and adds r bits, 2 · integerAddPj(r);
 * "counter" makes a 32-bit counter-based draw and adds r of its bits, COUNTER_DRAW_PJ + integerAddPj(r).
 */
export function srCoefficients(generator: SrGenerator): { srDrawPj: number; srAddPjPerBit: number } {
  return generator === "lfsr"
    ? { srDrawPj: 2 * INT_ADD_FIXED_PJ, srAddPjPerBit: 2 * INT_ADD_PER_BIT_PJ }
    : { srDrawPj: COUNTER_DRAW_PJ + INT_ADD_FIXED_PJ, srAddPjPerBit: INT_ADD_PER_BIT_PJ };
}

/** Horowitz, ISSCC 2014, 45 nm, 0.9 V: the defaults of every board (docs/energy.md). */
export const HOROWITZ_2014: EnergyParams = {
  multiply: [
    { format: "fp16", p: 11, bits: 16, pj: 1.1 },
    { format: "fp32", p: 24, bits: 32, pj: 3.7 },
  ],
  add: [
    { format: "fp16", p: 11, bits: 16, pj: 0.4 },
    { format: "fp32", p: 24, bits: 32, pj: 0.9 },
  ],
  srGenerator: "lfsr",
  ...srCoefficients("lfsr"),
  memoryPjPer64Bits: 100,
  cpuPjPerInstruction: 70,
  cpuInstructionsPerMac: { exact: 60, exactSr: 90, fast: 6 },
  source: "Horowitz, ISSCC 2014, 45 nm (docs/energy.md)",
};

/** Reads a synthesis result named by a manifest's `energy.synthesis` (board/accel/circuit.ts). */
export type CircuitReader = (file: string, where: string) => { macPj: number; source: string };

/**
 * Piecewise rule through the anchors, sorted by width: at or below the narrowest anchor the energy scales
 * as (width / width0)^power; between two anchors it is linear in width^power, so it passes through every
 * published figure and never falls as the width grows. Above the widest anchor it extends the last piece.
 */
function throughAnchors(width: number, anchors: Array<{ width: number; pj: number }>, power: number): number {
  const sorted = [...anchors].sort((a, b) => a.width - b.width);
  const first = sorted[0];
  if (width <= first.width || sorted.length === 1) return first.pj * (width / first.width) ** power;
  for (let i = 1; i < sorted.length; i++) {
    const lo = sorted[i - 1], hi = sorted[i];
    if (width <= hi.width || i === sorted.length - 1) {
      const t = (width ** power - lo.width ** power) / (hi.width ** power - lo.width ** power);
      return lo.pj + t * (hi.pj - lo.pj);
    }
  }
  return sorted[sorted.length - 1].pj;
}

/** Energy of one multiply whose result has p significand bits: grows as p^2 (multiplier array area). */
export function multiplyPj(params: EnergyParams, p: number): number {
  return throughAnchors(p, params.multiply.map((a) => ({ width: a.p, pj: a.pj })), 2);
}

/** Energy of one add in a format of `bits` total bits: grows linearly with the width. */
export function addPj(params: EnergyParams, bits: number): number {
  return throughAnchors(bits, params.add.map((a) => ({ width: a.bits, pj: a.pj })), 1);
}

/** Energy of one stochastic rounding with r random bits: the random source and the r-bit add. */
export function srPj(params: EnergyParams, srBits: number): number {
  return params.srDrawPj + srBits * params.srAddPjPerBit;
}

/** Energy of moving `bytes` to or from memory, in 64-bit accesses (a partial access costs a whole one). */
export function memoryPj(params: EnergyParams, bytes: number): number {
  return Math.ceil(bytes / 8) * params.memoryPjPer64Bits;
}

/** What one GEMM costs on the CPU path (the host core runs the per-MAC emulation), in pJ. */
export function cpuGemmPj(params: EnergyParams, macs: number, mode: "exact" | "exactSr" | "fast"): number {
  return macs * params.cpuInstructionsPerMac[mode] * params.cpuPjPerInstruction;
}

/** Checks an `energy` manifest group and fills what it leaves out from Horowitz 2014; errors name file and key. */
/**
 * The manifest's `energy` group, defaults filled and checked. `readCircuit` resolves `synthesis`; without
 * it (the firmware build, which needs only the CPU path's figures) the source names the file and the
 * table stays.
 */
export function energyParamsFrom(group: unknown, where: string, readCircuit?: CircuitReader): EnergyParams {
  if (group === undefined) return HOROWITZ_2014;
  if (typeof group !== "object" || group === null || Array.isArray(group)) throw new Error(`${where}: expected an object, received ${JSON.stringify(group)}`);
  const g = group as Record<string, unknown>;
  const known = new Set(["$comment", "source", "synthesis", ...Object.keys(HOROWITZ_2014).filter((k) => k !== "source")]);
  for (const key of Object.keys(g)) {
    if (!known.has(key)) throw new Error(`${where}.${key}: expected one of ${[...known].filter((k) => k !== "$comment").join(", ")}, received an unknown key`);
  }
  const positive = (key: string, value: unknown): number => {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw new Error(`${where}.${key}: expected a number >= 0, received ${JSON.stringify(value)}`);
    return value;
  };
  const anchors = (key: "multiply" | "add"): EnergyAnchor[] => {
    const value = g[key];
    if (value === undefined) return HOROWITZ_2014[key];
    if (!Array.isArray(value) || value.length === 0) throw new Error(`${where}.${key}: expected a non-empty list of {format, p, bits, pj}, received ${JSON.stringify(value)}`);
    return value.map((a, i) => {
      const at = `${key}[${i}]`;
      if (typeof a !== "object" || a === null) throw new Error(`${where}.${at}: expected {format, p, bits, pj}, received ${JSON.stringify(a)}`);
      const r = a as Record<string, unknown>;
      if (typeof r.format !== "string") throw new Error(`${where}.${at}.format: expected a format name, received ${JSON.stringify(r.format)}`);
      return { format: r.format, p: positive(`${at}.p`, r.p), bits: positive(`${at}.bits`, r.bits), pj: positive(`${at}.pj`, r.pj) };
    });
  };
  const number = (key: "memoryPjPer64Bits" | "cpuPjPerInstruction"): number =>
    g[key] === undefined ? HOROWITZ_2014[key] : positive(key, g[key]);
  const generator = g.srGenerator ?? HOROWITZ_2014.srGenerator;
  if (!SR_GENERATORS.includes(generator as SrGenerator)) {
    throw new Error(`${where}.srGenerator: expected one of ${SR_GENERATORS.join(", ")}, received ${JSON.stringify(g.srGenerator)}`);
  }
  // Explicit coefficients (other technology data) take precedence over the generator's derived ones.
  const sr = srCoefficients(generator as SrGenerator);
  const coefficient = (key: "srDrawPj" | "srAddPjPerBit"): number => (g[key] === undefined ? sr[key] : positive(key, g[key]));
  let perMac = HOROWITZ_2014.cpuInstructionsPerMac;
  if (g.cpuInstructionsPerMac !== undefined) {
    const c = g.cpuInstructionsPerMac as Record<string, unknown>;
    if (typeof c !== "object" || c === null) throw new Error(`${where}.cpuInstructionsPerMac: expected {exact, exactSr, fast}, received ${JSON.stringify(c)}`);
    perMac = {
      exact: positive("cpuInstructionsPerMac.exact", c.exact ?? perMac.exact),
      exactSr: positive("cpuInstructionsPerMac.exactSr", c.exactSr ?? perMac.exactSr),
      fast: positive("cpuInstructionsPerMac.fast", c.fast ?? perMac.fast),
    };
  }
  let source = g.source === undefined ? HOROWITZ_2014.source : String(g.source);
  let circuit: EnergyParams["circuit"];
  if (g.synthesis !== undefined) {
    if (typeof g.synthesis !== "string") throw new Error(`${where}.synthesis: expected a file path (relative to board/), received ${JSON.stringify(g.synthesis)}`);
    if (readCircuit) {
      const c = readCircuit(g.synthesis, where);
      circuit = { macPj: c.macPj, file: g.synthesis };
      source = c.source;
    } else {
      source = `synthesis ${g.synthesis}`;
    }
  }
  return {
    source,
    ...(circuit ? { circuit } : {}),
    multiply: anchors("multiply"),
    add: anchors("add"),
    srGenerator: generator as SrGenerator,
    srDrawPj: coefficient("srDrawPj"),
    srAddPjPerBit: coefficient("srAddPjPerBit"),
    memoryPjPer64Bits: number("memoryPjPer64Bits"),
    cpuPjPerInstruction: number("cpuPjPerInstruction"),
    cpuInstructionsPerMac: perMac,
  };
}
