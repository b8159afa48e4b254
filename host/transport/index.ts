// Byte streams to boards: an in-process pair, a child process, TCP, a serial port, and the simulated board.
export * from "./transport.js";
export * from "./process.js";
export * from "./tcp.js";
export * from "./serial.js";
export * from "./sim.js";
