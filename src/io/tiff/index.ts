/**
 * TIFF: `TiffImageSource` (TIFF, BigTIFF, OME-TIFF, ImageJ; lazy tile/strip reads through
 * geotiff) and `OmeTiffSink` (our tiled BigTIFF OME-TIFF writer). Isomorphic; Node helpers
 * are in `./node/`.
 */
export { openTiff, TiffImageSource, type TiffOpenOptions } from "./tiff-source.js";
export { OmeTiffSink, type OmeTiffSinkOptions } from "./ome-tiff-sink.js";
export { buildOmeXml, outputAnnotations, xmlEscape, type OmeImageSpec, type OmeMapAnnotation } from "./ome-xml-write.js";
export { parseOmeXml, isOmeXml, type OmeImage } from "./ome-xml-read.js";
