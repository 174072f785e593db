/**
 * OME-Zarr: `ZarrImageSource` (zarrita, Zarr v2/v3, NGFF 0.4/0.5) and `OmeZarrSink`
 * (Zarr v2 + NGFF 0.4 writer), and `ByteSourceStore` (a store over `ByteSource`s). Isomorphic; the
 * Node folder store and target are in `./node/`.
 */
export { openOmeZarr, ZarrImageSource } from "./zarr-source.js";
export { ByteSourceStore, type OpenKey } from "./byte-source-store.js";
export { OmeZarrSink, type OmeZarrSinkOptions } from "./zarr-sink.js";
export { MemoryKeyValueTarget, type KeyValueTarget } from "./key-value-target.js";
export { parseNgffImage, ngffRoot, type NgffImage } from "./ngff.js";
