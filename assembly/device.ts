// The device module's exports: the only entry points a board calls.
export * from "./api/arith";
export * from "./api/gemm";
export * from "./api/nn";
export * from "./api/accel";
