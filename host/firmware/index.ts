// Building the RISC-V firmware and running it on QEMU.
export * from "./toolchain.js";
export * from "./build.js";
export * from "./qemu.js";
export * from "./board.js";
