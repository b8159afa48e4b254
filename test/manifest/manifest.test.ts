import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { boardIds, loadBoard, readManifest, BOARDS_DIR } from "../../host/manifest/manifest";
import { edgecl } from "../helpers/cli.js";
import { buildQemuBoardImage } from "../../host/firmware/board";

describe("board manifests", () => {
  it("every shipped manifest loads, and its id is its file name", () => {
    expect(boardIds()).toEqual(expect.arrayContaining(["sim", "sim-tiny", "sim-noaccel"]));
    for (const id of boardIds()) expect(loadBoard(id).id).toBe(id);
    expect(loadBoard("sim").memory.linearMemoryBytes).toBe(4 * 1024 * 1024);
    expect(loadBoard("sim-tiny").memory.linearMemoryBytes).toBe(256 * 1024);
    expect(loadBoard("sim-noaccel").accelerator.present).toBe(false);
  });

  const base = JSON.parse(readFileSync(join(BOARDS_DIR, "sim.json"), "utf8"));
  const write = (data: unknown) => {
    const file = join(mkdtempSync(join(tmpdir(), "edgecl-board-")), "mine.json");
    writeFileSync(file, JSON.stringify(data));
    return file;
  };

  it("names the file and the key when a key is missing", () => {
    const { memory, ...rest } = base;
    const file = write({ ...rest, memory: { flashBytes: memory.flashBytes } });
    expect(() => readManifest(file)).toThrow(`${file}: missing key "memory.linearMemoryBytes"`);
  });

  it("names the file, the key and what is allowed when a value is wrong", () => {
    const file = write({ ...base, transport: { ...base.transport, kind: "pigeon" } });
    expect(() => readManifest(file)).toThrow(`${file}: key "transport.kind": expected one of process, tcp, serial, qemu, received "pigeon"`);
    const bad = write({ ...base, accelerator: { ...base.accelerator, productFormats: ["e4m3", "e9m9"] } });
    expect(() => readManifest(bad)).toThrow(/key "accelerator.productFormats": expected exponent bits E in 1\.\.8/);
  });

  it("transport.slowestMacsPerSecond is optional, and a positive number when given", () => {
    const { slowestMacsPerSecond: _, ...transport } = base.transport;
    expect(readManifest(write({ ...base, transport })).transport.slowestMacsPerSecond).toBeUndefined();
    const file = write({ ...base, transport: { ...base.transport, slowestMacsPerSecond: 0 } });
    expect(() => readManifest(file)).toThrow(`${file}: key "transport.slowestMacsPerSecond": expected a number >= 1, received 0`);
  });

  it("refuses an unknown board id with the list of boards", () => {
    expect(() => loadBoard("nope")).toThrow(/expected a board: .*sim.*received "nope"/);
  });

  it("edgecl boards lists them, as a table or JSON", () => {
    const table = edgecl(["boards"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^sim\s+v8\+simd\s+process\s+4 MiB/m);
    expect(table.stdout).toMatch(/^sim-tiny\s+.*256 KiB/m);
    const json = edgecl(["boards", "--json"]).stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(json.map((b) => b.id)).toEqual(boardIds());
  });

  it("qemu-rv32-rtl is qemu-rv32 with sim-rtl's accelerator and energy (so their reports can be compared bit for bit)", () => {
    const rtl = loadBoard("qemu-rv32-rtl");
    const qemu = loadBoard("qemu-rv32");
    const sim = loadBoard("sim-rtl");
    expect(rtl.accelerator).toEqual(sim.accelerator);
    expect(rtl.accelerator).toMatchObject({ engine: "rtl", cycleModel: "rtl" });
    expect(rtl.energy).toEqual(sim.energy);
    const board = (m: typeof rtl) => ({ cpu: m.cpu, memory: m.memory, transport: m.transport, runtime: m.runtime });
    expect(board(rtl)).toEqual(board(qemu));
  });

  it("qemu-rv32-wamr is qemu-rv32 on WAMR, and says what it needs where no WAMR tree is named", async () => {
    const wamr = loadBoard("qemu-rv32-wamr");
    const wasm2c = loadBoard("qemu-rv32");
    expect(wamr.runtime.kind).toBe("wamr");
    // The same board but for the runtime, and an interpreter's slower CPU path in the reply-time allowance.
    const same = (m: typeof wamr) => ({ ...m, id: "", file: "", name: "", runtime: null, transport: { ...m.transport, slowestMacsPerSecond: 0 } });
    expect(same(wamr)).toEqual(same(wasm2c));
    expect(wamr.transport.slowestMacsPerSecond).toBeLessThan(wasm2c.transport.slowestMacsPerSecond as number);
    const saved = process.env.WAMR_ROOT;
    delete process.env.WAMR_ROOT;
    try {
      await expect(buildQemuBoardImage(wamr)).rejects.toThrow(/board qemu-rv32-wamr runs the device module on WAMR.*set WAMR_ROOT/);
    } finally {
      if (saved !== undefined) process.env.WAMR_ROOT = saved;
    }
  });
});
