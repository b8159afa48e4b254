// Run reports: the JSON types, reading and writing them, and every rendering (docs/report.md).
export * from "./types.js";
export * from "./io.js";
export * from "./terminal.js";
export * from "./csv.js";
export * from "./html.js";
export * from "./progress.js";
export * from "./format-names.js";
export * from "./units.js";
