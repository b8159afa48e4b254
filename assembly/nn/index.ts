// Training on the device: tensors, layers, loss, optimizers and the model that ties them together.
export * from "./abi";
export * from "./tensor";
export * from "./precision";
export * from "./context";
export * from "./layer";
export * from "./model";
export * from "./config";
export * from "./layout";
export * from "./build";
export * from "./step";
export * from "./switch";
export * from "./overrides";
