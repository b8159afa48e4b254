// The host<->board protocol: generated constants and layouts, CRC-32, COBS, frames, payloads, chunks.
export * from "./generated.js";
export * from "./crc32.js";
export * from "./cobs.js";
export * from "./frame.js";
export * from "./payload.js";
export * from "./chunk.js";
