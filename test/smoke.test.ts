import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";

describe("build", () => {
  it.each(["device.wasm", "device-simd.wasm"])("%s imports exactly what every board provides", async (file) => {
    const mod = await WebAssembly.compile(readFileSync(new URL(`../build/${file}`, import.meta.url)));
    const imports = WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}`).sort();
    expect(imports).toEqual(["env.mmio_read32", "env.mmio_write32"]);
  });
});
