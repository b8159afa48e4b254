import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { UsageError } from "../../host/errors.js";
import {
  encodePrecision,
  parsePrecision,
  precisionText,
  PRESET_NAMES,
  ROLE_NAMES,
  shortPrecisionText,
  type PrecisionSpec,
} from "../../host/precision/index.js";
import * as abi from "../../assembly/nn/abi.js";

const DOC = readFileSync(new URL("../../docs/precision.md", import.meta.url), "utf8");

/** The preset table of docs/precision.md: key -> preset -> cell. */
function docTable(): Map<string, Map<string, string>> {
  const lines = DOC.split("\n");
  const start = lines.findIndex((l) => l.startsWith("| key | fp32 |"));
  const header = lines[start].split("|").map((c) => c.trim()).filter(Boolean);
  const table = new Map<string, Map<string, string>>();
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    const cells = line.split("|").map((c) => c.trim()).filter(Boolean);
    table.set(cells[0], new Map(header.slice(1).map((name, i) => [name, cells[i + 1]])));
  }
  return table;
}

describe("presets", () => {
  it("fp8-mixed is e4m3 forward, e5m2 backward, fp16 accumulation with sr, fp32 master (the issue's definition)", () => {
    const spec = parsePrecision("fp8-mixed");
    expect(spec.weight).toEqual({ format: "e4m3", rounding: "rne" });
    expect(spec.activation).toEqual({ format: "e4m3", rounding: "rne" });
    expect(spec.error).toEqual({ format: "e5m2", rounding: "rne" });
    expect(spec.gradient).toEqual({ format: "e5m2", rounding: "rne" });
    expect(spec.acc).toEqual({ format: "fp16", rounding: "sr" });
    expect(spec.master).toEqual({ format: "fp32", rounding: "rne" });
    expect(spec.lossScale.kind).toBe("dynamic");
  });

  it("fp8-pure has e4m3 weights updated with sr and no master copy", () => {
    const spec = parsePrecision("fp8-pure");
    expect(spec.weight).toEqual({ format: "e4m3", rounding: "sr" });
    expect(spec.master).toBeNull();
  });

  it("docs/precision.md lists every key of every preset exactly as the code defines it", () => {
    const table = docTable();
    expect([...table.keys()].sort()).toEqual([...ROLE_NAMES, "fma", "gemm", "lossScale"].sort());
    for (const name of PRESET_NAMES) {
      const items = [...table.entries()].map(([key, column]) => `${key}=${column.get(name)}`);
      expect(parsePrecision(items.join(",")), name).toEqual(parsePrecision(name));
    }
    expect([...table.values().next().value!.keys()].sort()).toEqual([...PRESET_NAMES].sort());
  });

  it("a preset is a fresh copy each time", () => {
    const a = parsePrecision("fp8-mixed");
    a.weight.format = "fp32";
    expect(parsePrecision("fp8-mixed").weight.format).toBe("e4m3");
  });
});

describe("short string form", () => {
  it("applies overrides after a preset", () => {
    const spec = parsePrecision("fp8-mixed,gemm=fast");
    expect(spec.gemm).toBe("fast");
    expect({ ...spec, gemm: "exact" }).toEqual(parsePrecision("fp8-mixed"));
  });

  it("starts from fp32 without a preset", () => {
    const spec = parsePrecision("weight=e4m3:sr,acc=fp16:sr,error=e5m2:rne");
    expect(spec.weight).toEqual({ format: "e4m3", rounding: "sr" });
    expect(spec.acc).toEqual({ format: "fp16", rounding: "sr" });
    expect(spec.error).toEqual({ format: "e5m2", rounding: "rne" });
    const base = parsePrecision("fp32");
    expect({ ...spec, weight: base.weight, acc: base.acc, error: base.error }).toEqual(base);
  });

  it.each([
    ["acc=fp16:sr:12", { acc: { format: "fp16", rounding: "sr", srBits: 12 } }],
    ["weight=E4M3FN", { weight: { format: "e4m3", rounding: "rne" } }],
    ["weights=half:nearest", { weight: { format: "fp16", rounding: "rne" } }],
    ["grad=bfloat16:stochastic", { gradient: { format: "bf16", rounding: "sr" } }],
    ["activation=e3m4:rz", { activation: { format: "e3m4", rounding: "rz" } }],
    ["optimizer=fixed16.12", { optimizer: { format: "fixed16.12", rounding: "rne" } }],
    ["replay=mxfp8", { replay: { format: "mxfp8-e4m3", rounding: "rne" } }],
    ["master=none", { master: null }],
    ["master=fp32", { master: { format: "fp32", rounding: "rne" } }],
    ["fma=on", { fma: true }],
    ["FMA=Yes", { fma: true }],
    ["gemm=FAST", { gemm: "fast" }],
    ["lossScale=none", { lossScale: { kind: "none" } }],
    ["lossScale=1024", { lossScale: { kind: "static", scale: 1024 } }],
    ["loss-scale=static:0.5", { lossScale: { kind: "static", scale: 0.5 } }],
    ["lossscale=dynamic", { lossScale: { kind: "dynamic", initial: 65536, interval: 2000 } }],
    ["LOSS_SCALE=dynamic:128", { lossScale: { kind: "dynamic", initial: 128, interval: 2000 } }],
    ["lossScale=dynamic:8:50", { lossScale: { kind: "dynamic", initial: 8, interval: 50 } }],
    [" fp16-mixed , error = e5m2 ", { error: { format: "e5m2", rounding: "rne" } }],
  ])("%s", (text, changes) => {
    const spec = parsePrecision(text);
    const base = parsePrecision(text.includes("fp16-mixed") ? "fp16-mixed" : "fp32");
    expect(spec).toEqual({ ...base, ...changes });
  });

  it("prints every key and the shortest preset form, both parsing back to the same spec", () => {
    for (const name of PRESET_NAMES) {
      const spec = parsePrecision(name);
      expect(shortPrecisionText(spec)).toBe(name);
      expect(parsePrecision(precisionText(spec))).toEqual(spec);
    }
    expect(shortPrecisionText(parsePrecision("fp8-mixed,gemm=fast"))).toBe("fp8-mixed,gemm=fast");
    expect(precisionText(parsePrecision("fp32"))).toBe(
      "weight=fp32:rne,activation=fp32:rne,error=fp32:rne,gradient=fp32:rne,mul=fp32:rne,acc=fp32:rne," +
        "master=none,optimizer=fp32:rne,replay=fp32:rne,fma=off,gemm=exact,lossScale=none",
    );
  });

  it("round-trips random specs through both printed forms", () => {
    const role = fc.record({
      format: fc.constantFrom("fp32", "bf16", "fp16", "e5m2", "e4m3", "e3m2", "e2m1", "e6m9", "fixed8.4"),
      rounding: fc.constantFrom("rne", "rna", "rz", "ru", "rd", "ro", "sr"),
    });
    fc.assert(
      fc.property(
        fc.record({
          preset: fc.constantFrom(...PRESET_NAMES),
          weight: role,
          acc: role,
          master: fc.option(role, { nil: null }),
          srBits: fc.option(fc.integer({ min: 1, max: 32 }), { nil: undefined }),
          gemm: fc.constantFrom("exact", "fast"),
          fma: fc.boolean(),
        }),
        (r) => {
          const spec: PrecisionSpec = { ...parsePrecision(r.preset), weight: r.weight, acc: { ...r.acc }, master: r.master, gemm: r.gemm as "exact" | "fast", fma: r.fma };
          if (r.srBits !== undefined && spec.acc.rounding === "sr") spec.acc.srBits = r.srBits;
          expect(parsePrecision(precisionText(spec))).toEqual(spec);
          expect(parsePrecision(shortPrecisionText(spec))).toEqual(spec);
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });
});

describe("bad specs", () => {
  // Each bad spec must be a UsageError whose message names the bad part and what is allowed.
  it.each([
    ["", ["fp32, bf16, fp16-mixed, fp8-mixed, fp8-pure"]],
    ["   ", ["a precision spec"]],
    ["fp9", ['received "fp9"', "fp8-mixed"]],
    ["fp8-mixed,fp32", ['received "fp32"', "a preset may only come first"]],
    ["fp8-mixed,", ["between commas"]],
    ["fp8-mixed,,gemm=fast", ["between commas"]],
    ["wieght=e4m3", ['received "wieght"', "weight, activation, error, gradient, mul, acc, master, optimizer, replay, fma, gemm, lossScale"]],
    ["weight=e9m2", ['"weight=e9m2"', "exponent bits E in 1..8", 'received "e9m2"']],
    ["weight=e4m24", ["mantissa bits M in 0..23"]],
    ["weight=float8", ['received "float8"', "fp32, tf32, bf16"]],
    ["weight=", ['"weight="', "<format>[:<rounding>[:<sr bits>]]"]],
    ["weight=e4m3:nearest-even", ['received "nearest-even"', "rne, rna, rz, ru, rd, ro, sr"]],
    ["weight=e4m3:sr:0", ["SR random bits from 1 to 32", 'received "0"']],
    ["weight=e4m3:sr:33", ["SR random bits from 1 to 32", 'received "33"']],
    ["weight=e4m3:sr:x", ["SR random bits from 1 to 32", 'received "x"']],
    ["weight=e4m3:rne:8", ["only sr takes one", 'received "8"']],
    ["weight=e4m3:sr:8:1", ["<format>[:<rounding>[:<sr bits>]]"]],
    ["weight=mxfp8", ["a scalar format for weight", "replay storage only", 'received "mxfp8"']],
    ["acc=mxint8", ["a scalar format for acc"]],
    ["error=none", ['"error=none"', 'received "none"']],
    ["fma=maybe", ['on or off in "fma=maybe"', 'received "maybe"']],
    ["gemm=slow", ["gemm=exact or gemm=fast", 'received "slow"']],
    ["lossScale=auto", ["none, <scale>, static:<scale> or dynamic", 'received "auto"']],
    ["lossScale=0", ["a loss scale from 2^-64 to 2^64", 'received "0"']],
    ["lossScale=-4", ["a loss scale from 2^-64 to 2^64", 'received "-4"']],
    ["lossScale=1e30", ["a loss scale from 2^-64 to 2^64"]],
    ["lossScale=static:", ["a loss scale from 2^-64 to 2^64"]],
    ["lossScale=dynamic:64:0", ["a growth interval", 'received "0"']],
    ["lossScale=dynamic:64:1.5", ["a growth interval", 'received "1.5"']],
    ["lossScale=dynamic:64:10:3", ["dynamic[:<initial>[:<interval>]]"]],
    ["gemm=fast,gemm=exact", ["each precision key once", "gemm twice"]],
    ["weights=e4m3,weight=e5m2", ["weight twice"]],
  ])("%j", (text, parts) => {
    let error: unknown;
    try {
      parsePrecision(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message.startsWith("expected") || message.startsWith("in precision item")).toBe(true);
    for (const part of parts) expect(message).toContain(part);
  });
});

describe("device encoding", () => {
  // Format words by hand from spec/formats.json's layout: kind << 0 | specials << 4 | e << 8 | m << 16.
  const word = (kind: number, specials: number, e: number, m: number) => (kind | (specials << 4) | (e << 8) | (m << 16)) >>> 0;
  const E4M3 = word(0, 1, 4, 3);
  const E5M2 = word(0, 0, 5, 2);
  const FP16 = word(0, 0, 5, 10);
  const FP32 = word(0, 0, 8, 23);

  it("writes format word, rounding code and SR bits per role, then GEMM flags and loss scale", () => {
    const words = new Uint32Array(abi.CFG_LAYERS);
    encodePrecision(parsePrecision("fp8-mixed,acc=fp16:sr:12,fma=on,gemm=fast"), words);
    const role = (r: number) => Array.from(words.subarray(abi.CFG_ROLES + r * abi.ROLE_WORDS, abi.CFG_ROLES + (r + 1) * abi.ROLE_WORDS));
    const RNE = 0, SR = 6;
    expect(role(abi.ROLE_WEIGHT)).toEqual([E4M3, RNE, 0]);
    expect(role(abi.ROLE_ACTIVATION)).toEqual([E4M3, RNE, 0]);
    expect(role(abi.ROLE_ERROR)).toEqual([E5M2, RNE, 0]);
    expect(role(abi.ROLE_GRADIENT)).toEqual([E5M2, RNE, 0]);
    expect(role(abi.ROLE_MUL)).toEqual([FP16, RNE, 0]);
    expect(role(abi.ROLE_ACC)).toEqual([FP16, SR, 12]);
    expect(role(abi.ROLE_MASTER)).toEqual([FP32, RNE, 0]);
    expect(role(abi.ROLE_OPTIMIZER)).toEqual([FP32, RNE, 0]);
    expect(role(abi.ROLE_REPLAY)).toEqual([E4M3, RNE, 0]);
    expect(words[abi.CFG_GEMM]).toBe(abi.GEMM_FMA | abi.GEMM_FAST);
    expect(words[abi.CFG_LOSS_SCALE_KIND]).toBe(abi.LOSS_SCALE_DYNAMIC);
    expect(words[abi.CFG_LOSS_SCALE]).toBe(0x47800000); // 65536 = 2^16: exponent 127 + 16 = 0x8f
    expect(words[abi.CFG_LOSS_SCALE_INTERVAL]).toBe(2000);
  });

  it("marks an absent master copy with word 0 and a static scale with its f32 bits", () => {
    const words = new Uint32Array(abi.CFG_LAYERS);
    encodePrecision(parsePrecision("fp8-pure,lossScale=static:0.5"), words);
    expect(words[abi.CFG_ROLES + abi.ROLE_MASTER * abi.ROLE_WORDS]).toBe(0);
    expect(words[abi.CFG_LOSS_SCALE_KIND]).toBe(abi.LOSS_SCALE_STATIC);
    expect(words[abi.CFG_LOSS_SCALE]).toBe(0x3f000000);
    expect(words[abi.CFG_LOSS_SCALE_INTERVAL]).toBe(0);
  });

  it("the role table in abi.ts follows the spec's role order", () => {
    expect(ROLE_NAMES.length).toBe(abi.ROLE_COUNT);
    expect(abi.CFG_ROLES + abi.ROLE_COUNT * abi.ROLE_WORDS).toBe(abi.CFG_GEMM);
    const order = [abi.ROLE_WEIGHT, abi.ROLE_ACTIVATION, abi.ROLE_ERROR, abi.ROLE_GRADIENT, abi.ROLE_MUL, abi.ROLE_ACC, abi.ROLE_MASTER, abi.ROLE_OPTIMIZER, abi.ROLE_REPLAY];
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
