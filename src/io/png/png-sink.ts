/**
 * `ImageSink` for PNG (small outputs: a label image or an 8/16-bit result you want to look at).
 * PNG compresses all rows as one stream, so the sink keeps the whole image until `finish()`
 * and then encodes it with fast-png. Holds one plane of 1 sample (grey; labels) or 3 samples
 * (RGB), uint8 or uint16; the class names, colours and unclassified value go into a `tEXt`
 * chunk with keyword `czmodel` (JSON, non-Latin-1 characters as `\uXXXX`). Use OME-TIFF or
 * OME-Zarr for anything bigger, float or multi-plane. Isomorphic: writes through a `ByteTarget`.
 */
import { encode } from "fast-png";
import { internalError, unsupported } from "../../errors.js";
import { BandTiler } from "../band-tiler.js";
import type { ByteTarget } from "../byte-target.js";
import type { ImageSink, OutputImageInfo, PlaneIndex, SampleArray } from "../types.js";
import { planeCount } from "../types.js";
import type { ReleasesBands } from "../reuse.js";

/** The `tEXt` value: JSON with every non-ASCII character escaped (tEXt is Latin-1). */
function pngMetadataText(info: OutputImageInfo): string {
  const meta = {
    kind: info.kind,
    ...(info.classes ? { classes: info.classes } : {}),
    ...(info.unclassifiedValue !== undefined ? { unclassifiedValue: info.unclassifiedValue } : {}),
    ...(info.channelNames ? { channelNames: info.channelNames } : {}),
    ...(info.description ? { description: info.description } : {}),
  };
  return JSON.stringify(meta).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export class PngSink implements ImageSink, ReleasesBands {
  /** Bands are copied or encoded before `writeBand` resolves (`ReleasesBands`). */
  readonly releasesBands = true as const;
  private info: OutputImageInfo | undefined;
  private pixels: Uint8Array | Uint16Array | undefined;
  private tiler: BandTiler | undefined;

  constructor(private readonly target: ByteTarget) {}

  async begin(info: OutputImageInfo): Promise<void> {
    const where = this.target.name;
    const use = "write to .ome.tiff or .ome.zarr instead";
    if (planeCount(info.sizes) !== 1)
      throw unsupported(`PNG holds one 2-D plane, this output has ${planeCount(info.sizes)}; ${use}`, { where });
    if (info.sampleType !== "uint8" && info.sampleType !== "uint16")
      throw unsupported(`PNG cannot hold ${info.sampleType} samples; ${use}`, { where, allowed: "uint8, uint16" });
    if (info.samplesPerPixel !== 1 && info.samplesPerPixel !== 3) {
      throw unsupported(`PNG cannot hold ${info.samplesPerPixel} samples per pixel; ${use}`, {
        where,
        allowed: "1 (grey, labels) or 3 (RGB)",
      });
    }
    this.info = info;
    const n = info.width * info.height * info.samplesPerPixel;
    const pixels = info.sampleType === "uint16" ? new Uint16Array(n) : new Uint8Array(n);
    this.pixels = pixels;
    const rowLength = info.width * info.samplesPerPixel;
    this.tiler = new BandTiler(info, 1, async (row) => {
      pixels.set(row.data as typeof pixels, row.y * rowLength);
    });
  }

  async writeBand(plane: PlaneIndex, y: number, rows: number, data: SampleArray): Promise<void> {
    if (!this.tiler) throw internalError("PngSink.writeBand() before begin()");
    await this.tiler.writeBand(plane, y, rows, data);
  }

  async finish(): Promise<void> {
    const info = this.info;
    if (!info || !this.tiler || !this.pixels) throw internalError("PngSink.finish() before begin()");
    if (!this.tiler.complete)
      throw internalError(`PngSink.finish() before all bands were written: missing ${this.tiler.describeProgress()}`);
    const bytes = encode({
      width: info.width,
      height: info.height,
      data: this.pixels,
      depth: info.sampleType === "uint16" ? 16 : 8,
      channels: info.samplesPerPixel,
      text: { czmodel: pngMetadataText(info) },
    });
    this.pixels = undefined;
    await this.target.write(0, bytes);
    await this.target.commit();
  }

  async abort(): Promise<void> {
    this.pixels = undefined;
    await this.target.abort();
  }
}
