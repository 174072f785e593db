/** Node-only entry points of the ONNX area (onnxruntime-node, process memory). */
export { runNumericValidationNode, rssMemoryProbe } from "./numeric-validation.js";
export { checkSpatialInvarianceNode } from "./spatial.js";
