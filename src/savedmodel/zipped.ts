/**
 * Reads the serving signature out of a zipped SavedModel payload (the `.model` entry of an old
 * czmodel file, docs/formats.md#model-payload): finds `saved_model.pb` at the zip's top level and inspects it.
 * Uses the project's ZIP reader (`src/container/zip-reader.ts`) on the payload in memory:
 * only `saved_model.pb` is inflated, under the container's size and ratio limits, and its
 * CRC-32 is checked. Isomorphic.
 */
import { checkEntrySize, DEFAULT_ZIP_LIMITS } from "../container/limits.js";
import { readZipDirectory, readZipEntryData, type ZipEntryRecord } from "../container/zip-reader.js";
import { invalidModel } from "../errors.js";
import { summarizeSavedModel, type SavedModelSummary } from "./summary.js";

export function summarizeZippedSavedModel(zipBytes: Uint8Array, where = "zipped SavedModel"): SavedModelSummary {
  let entry: ZipEntryRecord | undefined;
  let pb: Uint8Array | undefined;
  try {
    entry = readZipDirectory(zipBytes, where, DEFAULT_ZIP_LIMITS.maxEntries).find((e) => e.name === "saved_model.pb");
    if (entry) {
      checkEntrySize(entry, DEFAULT_ZIP_LIMITS.maxModelBytes, DEFAULT_ZIP_LIMITS, where);
      pb = readZipEntryData(zipBytes, entry, where);
    }
  } catch (cause) {
    throw invalidModel("not a zipped TensorFlow SavedModel: the zip cannot be read", { where, cause });
  }
  if (!pb) throw invalidModel("not a TensorFlow SavedModel: saved_model.pb is missing from the zip", { where });
  return summarizeSavedModel(pb, `${where}: saved_model.pb`);
}
