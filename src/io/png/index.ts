/** PNG: `PngImageSource` (decoded whole with fast-png) and `PngSink` (small outputs). Isomorphic. */
export { PngSink } from "./png-sink.js";
