/**
 * Native CZI (ZEISS ZISRAW) reader: public API. `openCzi(source)` gives a `CziImage`, an
 * `ImageSource` with lazy region reads (uncompressed, zstd0, zstd1 with hi-lo packing, JPEG-XR),
 * mosaics, scenes, pyramid levels, metadata XML and attachments. Isomorphic.
 */
export { CziImage, openCzi, type CziOpenOptions } from "./czi-image.js";
export { compressionName, pixelTypeByCode } from "./enums.js";
