// The device module's exports: the only entry points a board calls (the build's entry, asconfig.json).
// The command loop first: a board drives it (loop.ts); the rest serve tests and tools.
export { cmd_buffer, cmd_reply_ptr, cmd_reply_len, cmd_run, cmd_memory_limit, cmd_image_pieces } from "./loop";
export * from "../api/arith";
export * from "../api/gemm";
export * from "../api/nn";
export * from "../api/accel";
export * from "../api/cl";
