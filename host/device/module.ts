// Loads the device module in this process (tests, the quantize command, benchmarks) with the imports every
// board provides. The simulated board runs the same module in its own process.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";


function repoRoot(): string {
  // Works from host/device (sources, under vitest) and dist/host/device (compiled).
  const here = dirname(fileURLToPath(import.meta.url));
  const up = join(here, "..", "..");
  return up.endsWith("dist") ? join(up, "..") : up;
}

export function modulePath(simd = false): string {
  return join(repoRoot(), "build", simd ? "device-simd.wasm" : "device.wasm");
}

export interface Mmio {
  read32(address: number): number;
  write32(address: number, value: number): void;
}

/** Reads of an absent accelerator return all ones, as an unmapped bus does. */
export const ABSENT_MMIO: Mmio = { read32: () => 0xffffffff | 0, write32: () => {} };

export interface DeviceExports {
  memory: WebAssembly.Memory;
  [name: string]: any;
}

export interface Device {
  exports: DeviceExports;
  simd: boolean;
  /** Allocates bytes in linear memory (never freed). */
  alloc(bytes: number): number;
  f32(ptr: number, n: number): Float32Array;
  u8(ptr: number, n: number): Uint8Array;
  u16(ptr: number, n: number): Uint16Array;
  u32(ptr: number, n: number): Uint32Array;
}

export function loadDevice(options: { simd?: boolean; mmio?: Mmio } = {}): Device {
  const simd = options.simd ?? false;
  const path = modulePath(simd);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new Error(`device module ${path} is missing; run npm run build`);
  }
  const mmio = options.mmio ?? ABSENT_MMIO;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(bytes)), {
    env: {
      mmio_read32: (address: number) => mmio.read32(address >>> 0) | 0,
      mmio_write32: (address: number, value: number) => mmio.write32(address >>> 0, value >>> 0),
    },
  });
  const exports = instance.exports as unknown as DeviceExports;
  const buffer = () => exports.memory.buffer;
  return {
    exports,
    simd,
    alloc: (bytes) => exports.alloc(bytes) >>> 0,
    f32: (ptr, n) => new Float32Array(buffer(), ptr, n),
    u8: (ptr, n) => new Uint8Array(buffer(), ptr, n),
    u16: (ptr, n) => new Uint16Array(buffer(), ptr, n),
    u32: (ptr, n) => new Uint32Array(buffer(), ptr, n),
  };
}
