/**
 * Native CZI (ZEISS ZISRAW) reader: public API. `openCzi(source)` gives a `CziImage`, an
 * `ImageSource` with lazy region reads (uncompressed, zstd0, zstd1 with hi-lo packing),
 * mosaics, scenes, pyramid levels, metadata XML and attachments. Isomorphic.
 */
export { CziImage, openCzi, type CziLevelInfo, type CziOpenOptions, type DecodedSubblock } from "./czi-image.js";
export type { CziAttachment } from "./attachments.js";
export type { CziDimensionEntry, SubblockEntry } from "./directory.js";
export type { CziFileHeader } from "./file-header.js";
export type { CziMetadataSummary } from "./metadata.js";
export type { CziPyramidLevel } from "./layout.js";
export { compressionName, pixelTypeByCode, type CziPixelType } from "./enums.js";
