/** Public API of the TensorFlow SavedModel area (isomorphic); `./node/` zips a SavedModel folder. */
export { summarizeSavedModel, SERVING_SIGNATURE, type SavedModelSummary, type SavedModelTensor } from "./summary.js";
export { summarizeZippedSavedModel } from "./zipped.js";
