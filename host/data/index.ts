// Data sets for edgecl: the embedded digits, IDX and CSV loaders, the seeded split, sample transforms.
export * from "./dataset.js";
export * from "./rng.js";
export * from "./mnist.js";
export * from "./idx.js";
export * from "./csv.js";
export * from "./windows.js";
export * from "./transforms.js";
