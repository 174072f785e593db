/**
 * Node-only entry points of validation: the numeric check with onnxruntime-node and a memory
 * probe reading the process's resident set size.
 */
export { nodeRun } from "./numeric.js";
