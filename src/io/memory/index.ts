/**
 * In-memory images: `MemoryImageSource` (planes held as typed arrays) and `MemoryImageSink`
 * (collects what the engine writes into whole planes). Used by tests and by the browser page,
 * which decodes into memory anyway. Isomorphic.
 */
export { MemoryImageSource, type MemoryImageOptions } from "./memory-source.js";
export { MemoryImageSink } from "./memory-sink.js";
