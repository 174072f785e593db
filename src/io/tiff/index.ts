/**
 * TIFF: `TiffImageSource` (TIFF, BigTIFF, OME-TIFF, ImageJ; lazy tile/strip reads through
 * geotiff) and `OmeTiffSink` (our tiled BigTIFF OME-TIFF writer). Isomorphic; Node helpers
 * are in `./node/`.
 */
export { OmeTiffSink } from "./ome-tiff-sink.js";
