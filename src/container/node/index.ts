/**
 * Node-only model-file I/O: reading by range (`node:zlib`, CRC-checked), safe unpacking,
 * atomic file writes.
 */
export { readModelFile } from "./read-model-file.js";
export { unpackModel, type UnpackOptions } from "./unpack-model.js";
export { writeFileAtomic } from "./write-file-atomic.js";
export { defaultHostByte } from "./host-byte.js";
export { openZip } from "./zip-file.js";
