/**
 * Model containers: `.czann` / `.czmodel` / `.czseg` ZIP archives, built byte-identically to
 * czmodel and read (by content) with ZEN's variants tolerated. Isomorphic; the Node-only
 * file functions are in `./node/index.js`.
 */
export { crc32 } from "./crc32.js";
export { dateToDos, dosToDate, toDos, type DosDateTime, type ZipTimestamp } from "./dos-time.js";
export {
  writeZip,
  zipParts,
  zipHeaders,
  concatBytes,
  WRITESTR_EXTERNAL_ATTRIBUTES,
  type ZipEntryHeader,
  type ZipEntryInput,
  type ZipHostByte,
  type ZipLayout,
  type ZipWriteOptions,
} from "./zip-writer.js";
export {
  readZipDirectory,
  readZipEntryData,
  inflateLimited,
  ZipArchive,
  DEFAULT_ZIP_CODEC,
  type OpenZipOptions,
  type ZipCodec,
  type ZipEntryInfo,
  type ZipEntryRecord,
} from "./zip-reader.js";
export { decodeEntryName, entryBaseName, normalizeEntryName, safeEntryPath } from "./zip-names.js";
export { DEFAULT_ZIP_LIMITS, zipLimits, type ZipLimits } from "./limits.js";
export { sniffPayload, type PayloadKind } from "./payload.js";
export { outputFileName, DEFAULT_OUTPUT_NAME, type ModelFileKind } from "./output-name.js";
export {
  buildCzann,
  buildLegacy,
  czannZipEntries,
  legacyZipEntries,
  DEFAULT_LICENSE_MODE,
  type BuildOptions,
  type CzannInput,
  type LegacyInput,
  type LicenseInput,
} from "./build.js";
export {
  readModelFromZip,
  type CzannModelFile,
  type LegacyModelFile,
  type ModelFile,
  type ReadModelOptions,
  type ZipAccess,
} from "./model-file.js";
export { readModelFileBytes } from "./read-model-bytes.js";
export { readModelFromSource, type ReadModelSourceOptions } from "./read-model-source.js";
