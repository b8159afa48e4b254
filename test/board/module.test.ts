// The board's checks of a device module before it instantiates it, and the memory maximum it sets.
import binaryen from "binaryen";
import { describe, expect, test } from "vitest";
import { prepareModule, WASM_PAGE_BYTES } from "../../board/sim/module.js";
import { ErrorCode } from "../../host/protocol/index.js";

const COMMAND_LOOP = `
  (func (export "cmd_buffer") (param i32) (result i32) (i32.const 1024))
  (func (export "cmd_run") (param i32 i32) (result i32) (i32.const 0))
  (func (export "cmd_reply_ptr") (result i32) (i32.const 0))
  (func (export "cmd_reply_len") (result i32) (i32.const 0))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))`;

/** A module from WebAssembly text, through binaryen (an independent encoder of the binary format). */
function wasm(text: string): Uint8Array {
  const mod = binaryen.parseText(text);
  const bytes = mod.emitBinary();
  mod.dispose();
  return bytes;
}

const device = (memory: string, extra = "") => wasm(`(module ${extra} (memory (export "memory") ${memory}) ${COMMAND_LOOP})`);

describe("prepareModule", () => {
  test("sets the memory maximum to the board's limit: growing past it fails inside the module", () => {
    const limit = 4 * WASM_PAGE_BYTES;
    const prepared = prepareModule(device("1"), limit);
    if ("error" in prepared) throw new Error(prepared.detail);
    expect(prepared.ok).toMatchObject({ initialBytes: WASM_PAGE_BYTES, maximumBytes: limit });
    const instance = new WebAssembly.Instance(prepared.ok.module, {});
    const grow = instance.exports.grow as (pages: number) => number;
    const memory = instance.exports.memory as WebAssembly.Memory;
    // memory.grow returns the old size in pages, or -1 (WebAssembly core spec, memory.grow).
    expect(grow(3)).toBe(1);
    expect(grow(1)).toBe(-1);
    expect(memory.buffer.byteLength).toBe(limit);
  });

  test("keeps a smaller maximum the module declares itself", () => {
    const prepared = prepareModule(device("1 2"), 64 * WASM_PAGE_BYTES);
    if ("error" in prepared) throw new Error(prepared.detail);
    expect(prepared.ok.maximumBytes).toBe(2 * WASM_PAGE_BYTES);
  });

  test("limits of several LEB128 bytes are rewritten correctly (200 initial pages, 300 allowed)", () => {
    const prepared = prepareModule(device("200"), 300 * WASM_PAGE_BYTES);
    if ("error" in prepared) throw new Error(prepared.detail);
    const instance = new WebAssembly.Instance(prepared.ok.module, {});
    const grow = instance.exports.grow as (pages: number) => number;
    expect((instance.exports.memory as WebAssembly.Memory).buffer.byteLength).toBe(200 * WASM_PAGE_BYTES);
    expect(grow(101)).toBe(-1);
    expect(grow(100)).toBe(200);
  });

  test("a module whose initial memory exceeds the limit does not fit, and the message gives both sizes", () => {
    const result = prepareModule(device("5"), 4 * WASM_PAGE_BYTES);
    expect(result).toMatchObject({ error: ErrorCode.DOES_NOT_FIT });
    expect("detail" in result && result.detail).toMatch(/262144 bytes.*327680 bytes \(5 pages\)/);
  });

  test.each([
    ["bytes that are not WebAssembly", new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), /expected a valid WebAssembly module/],
    ["a module importing its memory", wasm(`(module (import "env" "memory" (memory 1)) ${COMMAND_LOOP})`), /imports it/],
    ["a module without memory", wasm(`(module (func (export "cmd_run") (param i32 i32) (result i32) (i32.const 0)))`), /without a memory section/],
    ["a module without the command loop", wasm(`(module (memory (export "memory") 1))`), /without cmd_buffer, cmd_run, cmd_reply_ptr, cmd_reply_len/],
    ["a module that does not export its memory", wasm(`(module (memory 1) ${COMMAND_LOOP})`), /exporting its linear memory as "memory"/],
    ["an import no board provides", device("1", `(import "env" "abort" (func (param i32 i32 i32 i32)))`), /importing only env.mmio_read32, env.mmio_write32, received imports env.abort/],
  ])("refuses %s with BAD_CONFIG", (_, bytes, message) => {
    const result = prepareModule(bytes, 16 * WASM_PAGE_BYTES);
    expect(result).toMatchObject({ error: ErrorCode.BAD_CONFIG });
    expect("detail" in result && result.detail).toMatch(message);
  });

  test("accepts the board imports", () => {
    const bytes = device("1", `(import "env" "mmio_read32" (func (param i32) (result i32))) (import "env" "mmio_write32" (func (param i32 i32)))`);
    const result = prepareModule(bytes, WASM_PAGE_BYTES);
    expect("detail" in result ? result.detail : "ok").toBe("ok");
  });
});
