// The accelerator as the simulated board wires it: board/sim loads the model for the `sim` manifest and puts
// it behind its bus; the device module's driver, through that bus, gets the CPU kernel's bits, and the
// board's totals see the job's cycles and energy. On `sim-noaccel` the block reads as absent.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { loadBoard } from "../../host/manifest/manifest";
import { loadAccelerator, Bus } from "../../board/sim/mmio";
import { modulePath } from "../../host/device/module";
import { parseFormat } from "../../host/formats/parse";

async function boardDevice(id: string) {
  const manifest = loadBoard(id);
  const factory = await loadAccelerator(manifest);
  let memory: WebAssembly.Memory | null = null;
  const bus = new Bus(factory ? factory(() => memory!) : null);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(modulePath())), {
    env: {
      mmio_read32: (address: number) => bus.read32(address >>> 0) | 0,
      mmio_write32: (address: number, value: number) => bus.write32(address >>> 0, value >>> 0),
    },
  });
  const x = instance.exports as Record<string, any>;
  memory = x.memory as WebAssembly.Memory;
  return { x, bus, manifest };
}

describe("on the simulated boards", () => {
  it("sim: the driver runs jobs on the board's accelerator with the CPU kernel's bits; the bus totals see them", async () => {
    const { x, bus } = await boardDevice("sim");
    expect(bus.acceleratorPresent).toBe(true);
    expect(x.accel_present()).toBe(1);
    const f = (name: string) => x.fmt_new(parseFormat(name).word);
    const spec = x.mac_spec_new(f("e4m3"), 0, f("fp16"), 6, 0, 0, 32, 1234);
    const m = 13, n = 11, k = 17;
    const xs = x.alloc(m * k * 4), ws = x.alloc(k * n * 4), za = x.alloc(m * n * 4), zc = x.alloc(m * n * 4);
    const view = (ptr: number, len: number) => new Float32Array(x.memory.buffer, ptr, len);
    view(xs, m * k).forEach((_, i, a) => (a[i] = Math.sin(i) * 4));
    view(ws, k * n).forEach((_, i, a) => (a[i] = Math.cos(i * 3) / 2));
    expect(x.gemm_on_backend(m, n, k, xs, k, 0, ws, n, 0, za, n, 0, spec)).toBe(0);
    expect(x.gemm(m, n, k, xs, k, 0, ws, n, 0, zc, n, 0, spec)).toBe(0);
    expect(Array.from(new Uint32Array(x.memory.buffer, za, m * n))).toEqual(Array.from(new Uint32Array(x.memory.buffer, zc, m * n)));
    // A second job: the driver's CLEAR resets the accelerator's counters, the bus keeps the sum.
    expect(x.gemm_on_backend(m, n, k, xs, k, 0, ws, n, 0, za, n, 1, spec)).toBe(0);
    const totals = bus.totals();
    expect(totals.jobs).toBe(2);
    // Each job: ceil(13/4) * ceil(11/4) * 17 = 204 compute cycles, f32 containers: 13*17*3*4 + 17*11*4*4 = 5644 bytes
    // read (+ 13*11*4 for Z on the accumulating job), 572 written: memory-bound at 16 B/cycle, plus 20 set-up.
    expect(totals.cycles).toBe(20 + Math.ceil((5644 + 572) / 16) + 20 + Math.ceil((5644 + 572 + 572) / 16));
    expect(totals.energyJ).toBeGreaterThan(0);
  });

  it("sim-noaccel: the block reads as absent and the backend takes the CPU path", async () => {
    const { x, bus } = await boardDevice("sim-noaccel");
    expect(bus.acceleratorPresent).toBe(false);
    expect(x.accel_present()).toBe(0);
    const spec = x.mac_spec_new(0, 0, 0, 0, 0, 0, 32, 0);
    const z = x.alloc(16);
    expect(x.gemm_on_backend(2, 2, 1, z, 1, 0, z, 2, 0, z, 2, 1, spec)).toBe(1);
    expect(x.accel_path_jobs(1)).toBe(1);
  });
});
