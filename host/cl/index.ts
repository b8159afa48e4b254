// Host side of continual learning: benchmark streams and the metrics of their accuracy matrices.
export * from "./benchmarks.js";
export * from "./metrics.js";
