/** The seed's conversion API on files (Node). */
export {
  convertFromModelSpec,
  convertFromJsonSpec,
  loadModelPayload,
  writeArchive,
  writeCreatingFolder,
  type ModelSpec,
  type ConvertResult,
  type JsonSpecOptions,
} from "./convert.js";
