/** PNG: `PngImageSource` (decoded whole with fast-png) and `PngSink` (small outputs). Isomorphic. */
export { openPng, PngImageSource } from "./png-source.js";
export { PngSink, pngMetadataText } from "./png-sink.js";
