/** Public API of the TensorFlow SavedModel area (isomorphic); `./node/` zips a SavedModel folder. */
export { summarizeSavedModel, type SavedModelSummary } from "./summary.js";
export { summarizeZippedSavedModel } from "./zipped.js";
