/**
 * Model containers: `.czann` / `.czmodel` / `.czseg` ZIP archives, built byte-identically to
 * czmodel and read (by content) with ZEN's variants tolerated. Isomorphic; the Node-only
 * file functions are in `./node/index.js`.
 */
export { crc32 } from "./crc32.js";
export { dateToDos, dosToDate, type ZipTimestamp } from "./dos-time.js";
export {
  writeZip,
  zipHeaders,
  type ZipHostByte,
} from "./zip-writer.js";
export { sniffPayload, type PayloadKind } from "./payload.js";
export { outputFileName } from "./output-name.js";
export {
  buildCzann,
  buildLegacy,
  type BuildOptions,
  type CzannInput,
  type LegacyInput,
  type LicenseInput,
} from "./build.js";
export type {
  CzannModelFile,
  LegacyModelFile,
  ModelFile,
} from "./model-file.js";
export { readModelFileBytes } from "./read-model-bytes.js";
export { readModelFromSource } from "./read-model-source.js";
