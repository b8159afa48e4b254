// edgecl firmware build: the RISC-V firmware image of a qemu board (firmware/Makefile through
// host/firmware), and the text, data and bss it takes.
import { Command } from "commander";
import { loadBoard } from "../../manifest/manifest.js";
import { buildQemuBoardImage } from "../../firmware/board.js";
import type { FirmwareRuntime, SectionSizes } from "../../firmware/build.js";
import { expected } from "../../errors.js";

interface BuildOptions {
  board: string;
  wasm?: string;
  runtime?: string;
  wamrRoot?: string;
  out?: string;
  json?: boolean;
}

const RUNTIMES: readonly FirmwareRuntime[] = ["wasm2c", "wamr"];

function row(name: string, sizes: SectionSizes): string[] {
  return [name, String(sizes.text), String(sizes.data), String(sizes.bss), String(sizes.text + sizes.data + sizes.bss)];
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ")).join("\n");
}

function buildCommand(): Command {
  return new Command("build")
    .description("Build the firmware image of a qemu board and print its text, data and bss sizes")
    .requiredOption("--board <board>", "a board whose transport is qemu (edgecl boards), or its manifest path")
    .option("--wasm <file>", "device module to build the image with (default build/device.wasm)")
    .option("--runtime <runtime>", `WebAssembly runtime: ${RUNTIMES.join(" or ")} (default: the manifest's)`)
    .option("--wamr-root <dir>", "WAMR source tree for --runtime wamr (default: $WAMR_ROOT)")
    .option("--out <dir>", "build directory (default build/firmware/<board>-<runtime>)")
    .option("--json", "print the image path and sizes as JSON")
    .exitOverride()
    .action(async (options: BuildOptions) => {
      const manifest = loadBoard(options.board);
      if (manifest.transport.kind !== "qemu") {
        throw expected("a board whose transport is qemu (qemu-rv32, qemu-rv32-noaccel)", `${manifest.id} (transport ${manifest.transport.kind})`);
      }
      if (options.runtime !== undefined && !RUNTIMES.includes(options.runtime as FirmwareRuntime)) {
        throw expected(`--runtime ${RUNTIMES.join(" or ")}`, options.runtime);
      }
      const image = await buildQemuBoardImage(manifest, {
        wasm: options.wasm,
        runtime: options.runtime as FirmwareRuntime | undefined,
        wamrRoot: options.wamrRoot,
        buildDir: options.out,
      });
      if (options.json) {
        console.log(JSON.stringify({ board: manifest.id, runtime: image.runtime, elf: image.elf, ramMb: image.ramMb, sizes: image.sizes, moduleSizes: image.moduleSizes, ...(image.accelRtl ? { accelRtl: image.accelRtl } : {}) }));
        return;
      }
      console.log(`${manifest.id} (${image.runtime}): ${image.elf}`);
      if (image.accelRtl) console.log(`accelerator RTL (verilated): ${image.accelRtl}`);
      const moduleName = image.runtime === "wamr" ? "module bytes" : "module (wasm2c)";
      console.log(table([["", "text", "data", "bss", "total"], row("image", image.sizes), row(moduleName, image.moduleSizes)]));
    });
}

export function firmwareCommand(): Command {
  return new Command("firmware").description("The RISC-V firmware of the qemu boards").addCommand(buildCommand());
}
