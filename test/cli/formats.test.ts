// `edgecl formats` and `edgecl quantize` as a user runs them.
import { describe, expect, it } from "vitest";
import { edgecl } from "../helpers/cli.js";

describe("edgecl formats", () => {
  it("lists every named format with the OCP limits", () => {
    const r = edgecl(["formats"]);
    expect(r.code).toBe(0);
    const row = (id: string) => r.stdout.split("\n").find((l) => l.startsWith(id + " "))!.trim().split(/\s{2,}/);
    // OCP OFP8 v1.0 and OCP MX v1.0 tables: max, min normal, min subnormal.
    expect(row("e4m3").slice(0, 7)).toEqual(["e4m3", "4", "3", "7", "448", "0.015625", "0.001953125"]);
    expect(row("e5m2").slice(4, 7)).toEqual(["57344", "0.000061035156", "0.000015258789"]);
    expect(row("e3m2").slice(4, 7)).toEqual(["28", "0.25", "0.0625"]);
    expect(row("e2m3").slice(4, 7)).toEqual(["7.5", "1", "0.125"]);
    expect(row("e2m1").slice(4, 7)).toEqual(["6", "1", "0.5"]);
    expect(row("fp16").slice(4, 5)).toEqual(["65504"]);
    expect(row("e4m3").join(" ")).toContain("NaN only");
    expect(row("e5m2").join(" ")).toContain("inf + NaN");
    expect(row("mxfp4").join(" ")).toContain("17 B per 32");
    for (const id of ["fp32", "tf32", "bf16", "mxfp8-e4m3", "mxfp8-e5m2", "mxfp6-e3m2", "mxfp6-e2m3", "mxint8"]) expect(row(id)).toBeDefined();
  });

  it("prints JSON on request", () => {
    const r = edgecl(["formats", "--json"]);
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(rows.find((f) => f.id === "e4m3")).toMatchObject({ max: "448", hasInf: false, hasNaN: true, storageBytes: 1 });
  });
});

describe("edgecl quantize", () => {
  it("prints <input> <output> 0x<code> for the OCP worked vectors", () => {
    const r = edgecl(["quantize", "--format", "e4m3", "1.0625", "1.1875", "3.14159265", "464", "465", "-0"]);
    expect(r.code).toBe(0);
    // E4M3: 1.0 = 0.0111.000, 1.25 = 0.0111.010, 3.25 = 0.1000.101, 448 = 0.1111.110, NaN = S.1111.111.
    expect(r.stdout).toBe(["1.0625 1 0x38", "1.1875 1.25 0x3a", "3.14159265 3.25 0x45", "464 448 0x7e", "465 nan 0x7f", "-0 -0 0x80", ""].join("\n"));
  });

  it("reads stdin one value per line when no values are given", () => {
    const r = edgecl(["quantize", "--format", "e5m2"], { input: "61439\n61440\n-inf\n" });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("61439 57344 0x7b\n61440 inf 0x7c\n-inf -inf 0xfc\n");
  });

  it("saturates on request and keeps fp32 codes at 32 bits", () => {
    expect(edgecl(["quantize", "--format", "e4m3", "--saturate", "1e6"]).stdout).toBe("1e6 448 0x7e\n");
    expect(edgecl(["quantize", "--format", "fp32", "1"]).stdout).toBe("1 1 0x3f800000\n");
    expect(edgecl(["quantize", "--format", "fp16", "65520"]).stdout).toBe("65520 inf 0x7c00\n");
    expect(edgecl(["quantize", "--format", "fp16", "--rounding", "rz", "65520"]).stdout).toBe("65520 65504 0x7bff\n");
  });

  it("prints the shortest decimal that reads back as the same f32", () => {
    const r = edgecl(["quantize", "--format", "bf16", "0.1"]);
    // bf16(0.1) = 0x3dcd = 0.10009765625. f32 spacing there is 2^-27 (7.45e-9): 0.10009766 is 3.75e-9 away,
    // more than half a spacing, so nine digits are needed.
    expect(r.stdout).toBe("0.1 0.100097656 0x3dcd\n");
    expect(edgecl(["quantize", "--format", "fp16", "0.1"]).stdout).toBe("0.1 0.099975586 0x2e66\n");
    expect(edgecl(["quantize", "--format", "e4m3", "0.3"]).stdout).toBe("0.3 0.3125 0x2a\n");
  });

  it("prints the MX block scale once per block", () => {
    const values = Array.from({ length: 33 }, (_, i) => String(i));
    const r = edgecl(["quantize", "--format", "mxfp4", ...values]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    // Block 0 holds 0..31: amax 31, floor(log2 31) = 4, minus E2M1's emax 2 -> scale 2^2 (code 129 = 0x81).
    expect(lines[0]).toBe("# block 0 scale 0x81 (2^2)");
    expect(lines[1 + 5]).toBe("5 4 0x2"); // 5 / 4 = 1.25: tie between 1 (0x2, even) and 1.5 (0x3) -> 1, times 4
    expect(lines[1 + 6]).toBe("6 6 0x3"); // 6 / 4 = 1.5 exactly
    expect(lines[1 + 31]).toBe("31 24 0x7"); // 31 / 4 = 7.75 saturates to 6 -> 24
    // Block 1 holds 32 alone: floor(log2 32) = 5 -> 2^3, 32 / 8 = 4 exactly.
    expect(lines[33]).toBe("# block 1 scale 0x82 (2^3)");
    expect(lines[34]).toBe("32 32 0x6");
  });

  it("gives JSON objects and reproducible stochastic rounding", () => {
    const args = ["quantize", "--format", "e4m3", "--rounding", "sr", "--seed", "9", "--json", ...Array(200).fill("1.1")];
    const a = edgecl(args);
    const b = edgecl(args);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const outputs = a.stdout.trim().split("\n").map((l) => JSON.parse(l).output);
    expect(new Set(outputs)).toEqual(new Set(["1", "1.125"]));
    const c = edgecl([...args.slice(0, 6), "10", ...args.slice(7)]);
    expect(c.stdout).not.toBe(a.stdout);
  });

  it.each([
    [["quantize", "--format", "e4m4x", "1"], /expected a format: .*received "e4m4x"/],
    [["quantize", "--format", "e9m2", "1"], /expected exponent bits E in 1\.\.8 .*received "e9m2"/],
    [["quantize", "--format", "e4m24", "1"], /expected mantissa bits M in 0\.\.23 .*received "e4m24"/],
    [["quantize", "--format", "fixed40.2", "1"], /expected word length WL in 2\.\.24 .*received "fixed40.2"/],
    [["quantize", "--format", "e4m3", "--rounding", "nearest-ish", "1"], /expected a rounding mode: rne, rna, rz, ru, rd, ro, sr, received "nearest-ish"/],
    [["quantize", "--format", "e4m3", "1", "two"], /expected a number .*received "two"/],
    [["quantize", "--format", "e4m3", "--sr-bits", "33", "1"], /expected --sr-bits: an integer in 1\.\.32, received "33"/],
    [["quantize", "--format", "e4m3", "--seed", "-4", "1"], /expected --seed: an integer in 0\.\.4294967295/],
  ])("rejects bad input %j with exit 2 and one line", (args, message) => {
    const r = edgecl(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
