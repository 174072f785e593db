/**
 * Node entry for image conversion: `convertImageFile(input, output)` opens any image the
 * tool reads (`openImageFile`), picks the sink from the output name (`createImageFileSink`,
 * temp-then-rename, `--overwrite` as `predict` has it) with chunks the size of the copy's
 * tiles, and streams the selected planes across (`convertImage`); OME-TIFF and OME-Zarr
 * outputs over 4096 pixels per side get a resolution pyramid unless told otherwise (`pyramid.ts`).
 */
import { refuseInputAsOutput } from "../../bytes/node/same-file.js";
import { basename } from "node:path";
import { autoChunkSize } from "../chunk-grid.js";
import { convertImage, pixelBytes, planConversion, type ConvertImageResult, type PlaneSelection } from "../convert-image.js";
import type { OpenImageOptions } from "../open.js";
import { createImageFileSink, outputFormatForPath, pyramidForOutput } from "./create-sink.js";
import { pyramidLevelsFor, type PyramidOption } from "../pyramid.js";
import { openImageFile } from "./open-file.js";
import { openOptionsForPlanes } from "../open.js";

export interface ConvertFileOptions {
  planes?: PlaneSelection;
  /** Replace an existing output (default false). */
  overwrite?: boolean;
  /** Tile compression of OME-TIFF / OME-Zarr: auto (default) = deflate integer images, store float32 raw. */
  compression?: "auto" | "deflate" | "none";
  openOptions?: OpenImageOptions;
  /** OME `Creator`, e.g. `czmodel 0.1.0`. */
  creator?: string;
  onProgress?: (donePixels: number, totalPixels: number) => void;
  signal?: AbortSignal;
  /**
   * Resolution pyramid of an OME-TIFF or OME-Zarr output (`pyramid.ts`): true, false, or `auto`
   * (default) = on for an output over 4096 pixels per side. PNG refuses true.
   */
  pyramid?: PyramidOption;
}

export interface ConvertFileResult extends ConvertImageResult {
  input: string;
  output: string;
  /** Resolution levels written (1 = no pyramid). */
  levels: number;
}

/** The image's name in the output's metadata: the input's file name without its extensions. */
function imageName(path: string): string {
  return basename(path.replace(/[\\/]+$/, "")).replace(/(\.ome)?\.[^.]+$/i, "");
}

export async function convertImageFile(input: string, output: string, options: ConvertFileOptions = {}): Promise<ConvertFileResult> {
  // a pyramid asked of a PNG fails before the input is opened
  const pyramid = pyramidForOutput(output, options.pyramid ?? "auto");
  await refuseInputAsOutput(output, [input]);
  const source = await openImageFile(input, openOptionsForPlanes(options.openOptions, options.planes));
  try {
    const plan = planConversion(source.info, options.planes);
    const tileSize = autoChunkSize(plan.output.width, pixelBytes(source.info));
    const compression = options.compression ?? "auto";
    const levels = pyramidLevelsFor(pyramid, plan.output.width, plan.output.height);
    const sink = await createImageFileSink(output, {
      overwrite: options.overwrite ?? false,
      tileSize,
      compress: compression === "auto" ? "auto" : compression === "deflate",
      imageName: imageName(input),
      pyramid: levels > 1,
      ...(options.creator ? { creator: options.creator } : {}),
    });
    const result = await convertImage(source, sink, {
      tileSize,
      ...(options.planes ? { planes: options.planes } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      rgbFromThreePlanes: outputFormatForPath(output) === "png",
    });
    return { input, output, ...result, levels };
  } finally {
    await source.close();
  }
}
