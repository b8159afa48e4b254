// Precision specs: the roles, the presets, the short string form and the device encoding.
export * from "./spec.js";
export * from "./presets.js";
export * from "./parse.js";
export * from "./encode.js";
export * from "./policy.js";
export * from "./layers.js";
