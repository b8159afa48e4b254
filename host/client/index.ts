// Talking to boards: the client, its errors, opening a board named on the command line, and running a
// stream of experiences into a report.
export * from "./client.js";
export * from "./errors.js";
export * from "./connect.js";
export * from "./runner.js";
