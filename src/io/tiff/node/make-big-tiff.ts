/**
 * Builds a large tiled BigTIFF OME-TIFF for benchmarks (Node only) by mirror-tiling a small
 * image (e.g. `nuclei_0000.png`, 1960×1416 uint16) to any size, e.g. 32768×32768. Streams:
 * the source plane (small) is held once and the output is written one tile row at a time
 * through `OmeTiffSink`, so memory stays near `tileSize × width` samples whatever the size.
 */
import { invalidArgument, unsupported } from "../../../errors.js";
import { FileByteTarget } from "../../node/file-byte-target.js";
import { openImageFile } from "../../node/open-file.js";
import { constants } from "node:zlib";
import { nodeZlibCompressor } from "../../node/zlib-compressor.js";
import { allocSamples } from "../../types.js";
import { OmeTiffSink } from "../ome-tiff-sink.js";

export interface MakeBigTiffOptions {
  width: number;
  height: number;
  /** Tile size of the output (default 512). */
  tileSize?: number;
  /** Deflate tiles (default true; false is much faster to write and to read). */
  compress?: boolean;
  /** zlib level (default 1: fast). */
  level?: number;
  overwrite?: boolean;
  onProgress?: (rowsDone: number, height: number) => void;
}

/** Index into a source of length `n` for position `i` of a mirror-tiled axis (…abc cba abc…). */
function mirror(i: number, n: number): number {
  const m = i % (2 * n);
  return m < n ? m : 2 * n - 1 - m;
}

export async function makeBigTiffFromImage(inputPath: string, outputPath: string, options: MakeBigTiffOptions): Promise<void> {
  const { width, height } = options;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw invalidArgument(`output size ${width}×${height}`, { allowed: "positive integers" });
  }
  const source = await openImageFile(inputPath);
  const info = source.info;
  if (info.sampleType !== "uint8" && info.sampleType !== "uint16" && info.sampleType !== "float32") {
    await source.close();
    throw unsupported(`source of ${info.sampleType} samples`, { where: inputPath, allowed: "uint8, uint16, float32" });
  }
  const spp = info.samplesPerPixel;
  const plane = await source.readRegion({ scene: 0, t: 0, c: 0, z: 0 }, { x: 0, y: 0, width: info.width, height: info.height });
  await source.close();
  const tileSize = options.tileSize ?? 512;
  const level = options.level ?? 1;
  const sink = new OmeTiffSink(await FileByteTarget.create(outputPath, { overwrite: options.overwrite ?? false }), {
    tileSize,
    compression: options.compress === false ? "none" : "deflate",
    // zlib's default strategy, as most TIFF writers use for microscope images (not our output's run-length one).
    compressor: nodeZlibCompressor(level, constants.Z_DEFAULT_STRATEGY),
    imageName: `mirror-tiled ${inputPath.split(/[\\/]/).pop()}`,
  });
  try {
    await sink.begin({
      width,
      height,
      sizes: { scene: 1, t: 1, c: 1, z: 1 },
      samplesPerPixel: spp,
      sampleType: info.sampleType,
      kind: "regression",
      ...(info.physicalSize ? { physicalSize: info.physicalSize } : {}),
    });
    const columns = Int32Array.from({ length: width }, (_, x) => mirror(x, info.width) * spp);
    const band = allocSamples(info.sampleType, tileSize * width * spp);
    for (let y = 0; y < height; y += tileSize) {
      const rows = Math.min(tileSize, height - y);
      for (let r = 0; r < rows; r++) {
        const srcRow = mirror(y + r, info.height) * info.width * spp;
        const dstRow = r * width * spp;
        for (let x = 0; x < width; x++) for (let s = 0; s < spp; s++) band[dstRow + x * spp + s] = plane[srcRow + columns[x]! + s]!;
      }
      await sink.writeBand({ scene: 0, t: 0, c: 0, z: 0 }, y, rows, band.subarray(0, rows * width * spp));
      options.onProgress?.(y + rows, height);
    }
    await sink.finish();
  } catch (e) {
    await sink.abort();
    throw e;
  }
}
