import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";

describe("build", () => {
  it("produces a module that imports only what boards provide", async () => {
    const mod = await WebAssembly.compile(readFileSync(new URL("../build/device.wasm", import.meta.url)));
    const imports = WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}`);
    for (const name of imports) expect(["env.mmio_read32", "env.mmio_write32"]).toContain(name);
  });
});
