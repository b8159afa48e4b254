// The generated views of spec/formats.json are current, and a stale one is named.
import { describe } from "vitest";
import { checkTests, generatorHarness } from "../helpers/generator.js";

const GENERATED = ["assembly/generated/formats.ts", "host/generated/formats.ts", "firmware/include/edgecl_formats.h"];
const harness = generatorHarness("scripts/gen-formats.mjs", ["spec/formats.json", ...GENERATED]);

describe("gen-formats", () => {
  checkTests(harness, {
    view: "firmware/include/edgecl_formats.h", from: "#define EDGECL_ROUND_SR 6", to: "#define EDGECL_ROUND_SR 7", untouched: "host/generated/formats.ts",
    spec: "spec/formats.json", change: (s) => (s.mx.blockSize = 16), views: GENERATED,
  });
});
