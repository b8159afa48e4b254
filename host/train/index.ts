// Training runs driven from the host: model specs, the device config, the device model, runs and reports.
export * from "./model-spec.js";
export * from "./config.js";
export * from "./device-model.js";
export * from "./data.js";
export * from "./run.js";
export * from "./report.js";
