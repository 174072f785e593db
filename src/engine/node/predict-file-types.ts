/**
 * The option and result types of running a model file on an image file (`predictFile` and the
 * bioimage.io package runner share them), kept here so both can name them without importing each other.
 */
import type { OpenImageOptions } from "../../io/open.js";
import type { PyramidOption } from "../../io/pyramid.js";
import type { PredictResult } from "../types.js";
import type { NodePredictOptions } from "./index.js";

export type PredictFileOptions = Omit<NodePredictOptions, "runtime"> & {
  /** Replace existing outputs (default false). */
  overwrite?: boolean;
  /** Where the probabilities go when `output` is `both` (default `NAME.probabilities.EXT`). */
  probabilitiesOut?: string;
  /** Written into the outputs' metadata (OME Creator / PNG text). */
  creator?: string;
  /** How to open the input image, e.g. `{ czi: { otherDimensions: "first" } }` (`--czi-other-dimensions first`). */
  openOptions?: OpenImageOptions;
  /** Tile compression of OME-TIFF / OME-Zarr outputs: `auto` (default: labels deflated, float32 outputs stored raw), `deflate`, `none`. */
  compression?: "auto" | "deflate" | "none";
  /**
   * OME-TIFF (SubIFDs) and OME-Zarr outputs: a resolution pyramid (`io/pyramid.ts`; labels by
   * top-left pixel, the rest averaged). true, false, or `auto` (default) = for outputs over 4096
   * px per side. PNG outputs never get one (true is refused).
   */
  pyramid?: PyramidOption;
};

/** What a file run wrote, on top of the engine's result. */
export interface FilePredictResult extends PredictResult {
  /** The files written (labels/regression first). */
  files: string[];
  warnings: string[];
}
