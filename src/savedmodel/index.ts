/** Public API of the TensorFlow SavedModel area (isomorphic); `./node/` zips a SavedModel folder. */
export { inspectSavedModel, SERVING_SIGNATURE, type SavedModelSummary, type SavedModelTensor } from "./inspect.js";
export { inspectZippedSavedModel } from "./zipped.js";
