/**
 * Node entry for writing images: `createImageFileSink(path)` picks the sink from the output
 * name (`.png`; `.ome.tif(f)` / `.tif(f)` → tiled BigTIFF OME-TIFF; `.ome.zarr` / `.zarr` →
 * OME-Zarr v2) and gives it a temp-then-rename target beside the output, with `node:zlib`
 * deflate (run-length strategy, see `nodeZlibCompressor`). The temp
 * file/folder is created here, so an unwritable output fails before any prediction work; the
 * caller must call `abort()` on the sink if it gives up before `finish()`.
 */
import { invalidArgument, unsupported } from "../../errors.js";
import { PngSink } from "../png/png-sink.js";
import { OmeTiffSink } from "../tiff/ome-tiff-sink.js";
import type { ImageSink } from "../types.js";
import { FolderTarget } from "../zarr/node/folder-target.js";
import { OmeZarrSink } from "../zarr/zarr-sink.js";
import { FileByteTarget } from "./file-byte-target.js";
import { nodeZlibCompressor } from "./zlib-compressor.js";
import type { PyramidOption } from "../pyramid.js";

export type OutputFormat = "png" | "ome-tiff" | "ome-zarr";

/**
 * Default zlib level of OME-TIFF tiles. With the `Z_RLE` strategy that `nodeZlibCompressor`
 * uses the level hardly changes speed or size; 3 is kept from the default strategy, where it
 * was 4 times faster than 6. OME-Zarr keeps level 6, which its `.zarray` records.
 */
const DEFAULT_TIFF_LEVEL = 3;

export const OUTPUT_EXTENSIONS = ".png, .ome.tif, .ome.tiff, .tif, .tiff, .ome.zarr, .zarr";

export interface FileSinkOptions {
  /** Format; default from the file name. */
  format?: OutputFormat;
  /** Replace an existing output (default false). */
  overwrite?: boolean;
  /** Tile (OME-TIFF) or chunk (OME-Zarr) size, default 512. */
  tileSize?: number;
  /**
   * Deflate/zlib-compress tiles and chunks: true, false, or `auto` (default): integer outputs
   * (labels) compressed, float32 ones (probabilities, regression) not — see `OmeTiffSinkOptions.compression`.
   */
  compress?: boolean | "auto";
  /** zlib level 1..9 (default `DEFAULT_TIFF_LEVEL` = 3 for OME-TIFF, 6 for OME-Zarr). */
  level?: number;
  /** Name of the image in the output's metadata. */
  imageName?: string;
  /** OME `Creator` / TIFF `Software`, e.g. `czmodel 0.1.0`. */
  creator?: string;
  /**
   * Resolution pyramid (`pyramid.ts`): 2× levels down to at most 1024 px per side, as OME-Zarr
   * multiscales or OME-TIFF SubIFDs. true, false (default), or `auto` = for outputs over 4096 px
   * per side. PNG refuses true and never gets one under `auto`.
   */
  pyramid?: PyramidOption;
}

/** The output format a file name asks for, or undefined. */
export function outputFormatForPath(path: string): OutputFormat | undefined {
  const name = path.replace(/[\\/]+$/, "").toLowerCase();
  if (name.endsWith(".png")) return "png";
  if (/\.(ome\.)?tiff?$/.test(name)) return "ome-tiff";
  if (name.endsWith(".zarr")) return "ome-zarr";
  return undefined;
}

/** The pyramid option an output of `format` gets: PNG none under `auto`, `true` refused in one line. */
function pyramidForFormat(path: string, format: OutputFormat, option: PyramidOption): PyramidOption {
  if (format !== "png") return option;
  if (option === true)
    throw unsupported("pyramids are written to OME-TIFF and OME-Zarr outputs only", {
      where: path,
      allowed: ".ome.tif, .ome.zarr, or leave out --pyramid",
    });
  return false;
}

/** `pyramidForFormat` for an output named `path` (format from the name; an unknown name is left to `createImageFileSink`). */
export function pyramidForOutput(path: string, option: PyramidOption): PyramidOption {
  const format = outputFormatForPath(path);
  return format ? pyramidForFormat(path, format, option) : option;
}

export async function createImageFileSink(path: string, options: FileSinkOptions = {}): Promise<ImageSink> {
  const format = options.format ?? outputFormatForPath(path);
  if (!format) throw invalidArgument("cannot tell the output format from the file name", { where: path, allowed: OUTPUT_EXTENSIONS });
  const overwrite = options.overwrite ?? false;
  const compress = options.compress ?? "auto";
  const pyramid = options.pyramid !== undefined ? { pyramid: pyramidForFormat(path, format, options.pyramid) } : {};
  switch (format) {
    case "png":
      return new PngSink(await FileByteTarget.create(path, { overwrite }));
    case "ome-tiff": {
      const target = await FileByteTarget.create(path, { overwrite });
      return withTarget(
        target,
        () =>
          new OmeTiffSink(target, {
            ...(options.tileSize !== undefined ? { tileSize: options.tileSize } : {}),
            compression: compress === "auto" ? "auto" : compress ? "deflate" : "none",
            compressor: nodeZlibCompressor(options.level ?? DEFAULT_TIFF_LEVEL),
            ...(options.imageName !== undefined ? { imageName: options.imageName } : {}),
            ...(options.creator !== undefined ? { creator: options.creator } : {}),
            ...pyramid,
          }),
      );
    }
    case "ome-zarr": {
      const level = options.level ?? 6;
      const target = await FolderTarget.create(path, { overwrite });
      return withTarget(
        target,
        () =>
          new OmeZarrSink(target, {
            ...(options.tileSize !== undefined ? { chunkSize: options.tileSize } : {}),
            compression: compress === "auto" ? "auto" : compress ? "zlib" : "none",
            level,
            compressor: nodeZlibCompressor(level),
            ...(options.imageName !== undefined ? { imageName: options.imageName } : {}),
            ...pyramid,
          }),
      );
    }
  }
}

/** Build a sink on a target already created; remove the target's temp output if that fails. */
async function withTarget(target: { abort(): Promise<void> }, make: () => ImageSink): Promise<ImageSink> {
  try {
    return make();
  } catch (e) {
    await target.abort();
    throw e;
  }
}
