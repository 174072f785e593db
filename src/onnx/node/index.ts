/** Node-only entry points of the ONNX area (onnxruntime-node). */
export { checkSpatialInvarianceNode } from "./spatial.js";
