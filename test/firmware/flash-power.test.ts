// Power-loss sweep of the firmware's checkpoint flash (firmware/src/flash.c): flash_power_harness.c
// builds it with the host's gcc against an emulated NOR chip and cuts power before every erase and
// program, and inside each (part of its bits), for the checkpoint images of a small real run on the
// simulated board (test/helpers/checkpoint-sequence.ts: the same device module writes the same images
// on every board), then an erase of every slot and two more checkpoints. The harness judges each cut
// (the slot's last complete image bit for bit, or none, never another) and counts the operations; the
// test counts them independently from the flash layout. A failing cut prints "--only K", which replays it.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { modulePath } from "../../host/device/module.js";
import { recordCheckpointSequence, type SequenceStep } from "../helpers/checkpoint-sequence.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BOARD = "qemu-rv32";
const SECTOR_BYTES = 0x40000; // QEMU virt's CFI flash sector (firmware/src/flash.c)
const HEADER_BYTES = 16;

let dir = "";
let harness = "";
let script = "";
let checkpoints: Array<{ slot: number; image: Uint8Array }> = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "edgecl-flash-power-"));
  // The board configuration header the firmware build generates, from the manifest by its own generator.
  const header = execFileSync(process.execPath, [join(ROOT, "firmware", "board_config.mjs"), "header", join(ROOT, "board", `${BOARD}.json`), modulePath(false)]);
  writeFileSync(join(dir, "board_config.h"), header);
  harness = join(dir, "flash-power");
  execFileSync("gcc", [
    "-O2", "-std=c11", "-Wall", "-Werror", "-DEDGECL_FLASH_EMULATED",
    "-I", dir, "-I", join(ROOT, "firmware", "include"), "-I", join(ROOT, "firmware", "src"),
    join(ROOT, "test", "firmware", "flash_power_harness.c"), join(ROOT, "firmware", "src", "flash.c"), join(ROOT, "firmware", "src", "crc32.c"),
    "-o", harness,
  ], { stdio: ["ignore", "pipe", "pipe"] });

  const { steps } = await recordCheckpointSequence();
  const lines: string[] = [];
  const checkpoint = (slot: number, step: SequenceStep) => {
    const file = join(dir, `image-${checkpoints.length}.bin`);
    writeFileSync(file, step.image!);
    checkpoints.push({ slot, image: step.image! });
    lines.push(`checkpoint ${slot} ${file}`);
  };
  for (const step of steps) {
    if (step.request === "CHECKPOINT") checkpoint(step.slot, step);
    else lines.push(`restore ${step.slot}`);
  }
  const images = steps.filter((s) => s.request === "CHECKPOINT");
  lines.push("erase", "restore 0");
  checkpoint(2, images[0]);
  checkpoint(3, images[2]);
  script = join(dir, "script.txt");
  writeFileSync(script, `${lines.join("\n")}\n`);
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Erases and programs flash.c must make, counted from the layout: sectors a slot's header and image
 * span, and every 4-byte word that is not all ones (erased flash reads so already), header included. */
function expectedOperations(): { erases: number; programs: number } {
  let erases = 4; // the erase of every slot: each slot's header sector
  let programs = 0;
  for (const { image } of checkpoints) {
    erases += Math.ceil((HEADER_BYTES + image.length) / SECTOR_BYTES);
    const padded = new Uint8Array(Math.ceil(image.length / 4) * 4).fill(0xff);
    padded.set(image);
    const view = new DataView(padded.buffer);
    for (let at = 0; at < padded.length; at += 4) if (view.getUint32(at, true) !== 0xffffffff) programs++;
    programs += 4; // magic, version, length, CRC-32: none all ones for these images
  }
  return { erases, programs };
}

describe("power cut at every erase and program of the firmware's flash", () => {
  test("every cut point, whole and inside the operation: each slot reads as its last complete image or none; a flipped bit is refused naming the CRC", () => {
    const run = spawnSync(harness, [script], { encoding: "utf8" });
    const failures = run.stdout.split("\n").filter((line) => line.startsWith("cut ") || line.startsWith("flash bus") || line.startsWith("flipped") || line.includes("expected"));
    expect(failures).toEqual([]);
    expect(run.status).toBe(0);
    const summary = /^ops (\d+) erases (\d+) programs (\d+) cuts (\d+) lost (\d+) flips (\d+) failures (\d+)$/m.exec(run.stdout);
    expect(summary, run.stdout).not.toBeNull();
    const [ops, erases, programs, cuts, , flips, failed] = summary!.slice(1).map(Number);
    const expected = expectedOperations();
    expect({ erases, programs }).toEqual(expected);
    expect(ops).toBe(expected.erases + expected.programs);
    // A cut before each operation, two inside it, and one after the last.
    expect(cuts).toBe(3 * ops + 1);
    // Slots 2 and 3 hold images at the end (0 and 1 were erased): each refused with one bit flipped.
    expect(flips).toBe(2);
    expect(failed).toBe(0);
  }, 120_000);

  test("--only K replays one cut: the slot being written reads as empty inside its header erase", () => {
    // Operation 0 is the erase of slot 0's header sector, before anything was written: every slot is empty.
    const run = spawnSync(harness, [script, "--only", "0"], { encoding: "utf8" });
    expect(run.status).toBe(0);
    const lines = run.stdout.split("\n").filter((l) => l.startsWith("cut 0 "));
    expect(lines).toHaveLength(3 * 4);
    for (const line of lines) expect(line).toMatch(/reads as no checkpoint: expected a checkpoint in flash slot \d, received an empty slot$/);
  }, 60_000);
});
