/**
 * Reads the serving signature out of a zipped SavedModel payload (the `.model` entry of an old
 * czmodel file, docs/formats.md#model-payload): finds `saved_model.pb` at the zip's top level and inspects it.
 * Uses fflate's `unzipSync` (these payloads are small enough to hold in memory). Isomorphic.
 */
import { unzipSync } from "fflate";
import { invalidModel } from "../errors.js";
import { inspectSavedModel, type SavedModelSummary } from "./inspect.js";

export function inspectZippedSavedModel(zipBytes: Uint8Array, where = "zipped SavedModel"): SavedModelSummary {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zipBytes, { filter: (f) => f.name === "saved_model.pb" });
  } catch (cause) {
    throw invalidModel("not a zipped TensorFlow SavedModel: the zip cannot be read", { where, cause });
  }
  const pb = files["saved_model.pb"];
  if (!pb) throw invalidModel("not a TensorFlow SavedModel: saved_model.pb is missing from the zip", { where });
  return inspectSavedModel(pb, `${where}: saved_model.pb`);
}
