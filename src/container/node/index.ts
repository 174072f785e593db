/**
 * Node-only model-file I/O: reading by range (`node:zlib`, CRC-checked), safe unpacking,
 * atomic file writes and streamed archive writing.
 */
export { readModelFile } from "./read-model-file.js";
export { unpackModel, type UnpackOptions } from "./unpack-model.js";
export { writeFileAtomic, tempPathFor, type WriteData, type WriteFileAtomicOptions } from "./write-file-atomic.js";
export {
  writeZipFile,
  writeCzannFile,
  writeLegacyFile,
  crc32OfFile,
  defaultHostByte,
  type NodeZipEntryInput,
  type ZipFileEntryInput,
} from "./write-zip-file.js";
export { openZip, openZipSource, NODE_ZIP_CODEC } from "./zip-file.js";
