/**
 * Node-only model-file I/O: reading with yauzl (streamed, CRC-checked), safe unpacking,
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
export { openZip, type OpenedZip } from "./yauzl-zip.js";
