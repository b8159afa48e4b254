// The device module wired to an accelerator model, as the simulated board wires them: the module's
// mmio_read32 / mmio_write32 imports reach the model, and the model reads the instance's linear memory.
import { readFileSync } from "node:fs";
import { modulePath } from "../../host/device/module";
import { AcceleratorModel, AcceleratorConfig } from "../../board/accel/model";

export interface AccelDevice {
  exports: Record<string, any> & { memory: WebAssembly.Memory };
  model: AcceleratorModel | null;
  /** Bus transactions the module made: [read or write, offset, value]. */
  trace: Array<["r" | "w", number, number]>;
  alloc(bytes: number): number;
  f32(ptr: number, n: number): Float32Array;
  u32(ptr: number, n: number): Uint32Array;
}

const REQUIRED = ["accel_present", "accel_gemm", "gemm_on_backend", "accel_path_jobs", "accel_path_macs", "accel_last_error", "accel_stats_reset", "accel_set_operand_formats", "gemm", "mac_spec_new", "fmt_new"];

/** Instantiates build/device(-simd).wasm with the model behind its bus (config null: no accelerator). */
export function accelDevice(config: AcceleratorConfig | null, simd = false): AccelDevice {
  const path = modulePath(simd);
  const module = new WebAssembly.Module(readFileSync(path));
  const names = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const missing = REQUIRED.filter((n) => !names.has(n));
  if (missing.length) throw new Error(`${path} lacks ${missing.join(", ")}: assembly/device/index.ts must export * from "../api/accel" (and ../api/gemm)`);
  let model: AcceleratorModel | null = null;
  const trace: AccelDevice["trace"] = [];
  const instance = new WebAssembly.Instance(module, {
    env: {
      mmio_read32: (address: number) => {
        const value = model ? model.read32(address >>> 0) >>> 0 : 0xffffffff;
        trace.push(["r", (address >>> 0) - 0x40000000, value]);
        return value | 0;
      },
      mmio_write32: (address: number, value: number) => {
        trace.push(["w", (address >>> 0) - 0x40000000, value >>> 0]);
        model?.write32(address >>> 0, value >>> 0);
      },
    },
  });
  const exports = instance.exports as AccelDevice["exports"];
  if (config) model = new AcceleratorModel(config, () => exports.memory.buffer);
  return {
    exports,
    model,
    trace,
    alloc: (bytes) => exports.alloc(bytes) >>> 0,
    f32: (ptr, n) => new Float32Array(exports.memory.buffer, ptr, n),
    u32: (ptr, n) => new Uint32Array(exports.memory.buffer, ptr, n),
  };
}
