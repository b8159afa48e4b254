// The number-format core: formats, rounding, random bits, codes, MX blocks, array kernels.
export * from "./format";
export * from "./prng";
export * from "./rounding";
export * from "./codec";
export * from "./mx";
export * from "./kernels";
