/**
 * `ImageSource` for PNG, decoded with fast-png (pure JS, runs in a browser). PNG is one zlib
 * stream over all rows, so it cannot be read by region: the file is decoded whole when opened
 * (fine for the small images PNG is used for; large images come as TIFF, Zarr or CZI).
 * 8- and 16-bit grey, grey+alpha, RGB and RGBA are returned as they are; palette images are
 * expanded to RGB (RGBA when the palette has transparency); 1/2/4-bit grey is scaled to 8 bits
 * (as libpng does). The `pHYs` chunk in pixels per metre gives the physical pixel size; a
 * `czmodel` `tEXt` chunk (a czmodel label output) the classes it records.
 * Isomorphic.
 */
import { convertIndexedToRgb, decode, type DecodedPng } from "fast-png";
import { invalidImage } from "../../errors.js";
import type { ByteSource } from "../../bytes/byte-source.js";
import { roundSignificant } from "../physical-units.js";
import { labelClassesOfPngText } from "../label-classes.js";
import { checkPlane, checkRect } from "../region.js";
import {
  allocSamples,
  type ImageInfo,
  type ImageSource,
  type PlaneIndex,
  type Rect,
  type SampleArray,
  type SampleOrder,
} from "../types.js";

const ORDERS: Record<number, SampleOrder> = { 1: "gray", 2: "gray-alpha", 3: "rgb", 4: "rgba" };

/** Unpack 1/2/4-bit grey rows (each row padded to a byte) to 8-bit values scaled to 0..255. */
function unpackLowBitGrey(png: DecodedPng): Uint8Array {
  const { width, height, depth } = png;
  const data = png.data as Uint8Array;
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const max = (1 << depth) - 1;
  const scale = 255 / max;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = data[y * rowBytes + (bit >> 3)]!;
      const value = (byte >> (8 - depth - (bit & 7))) & max;
      out[y * width + x] = Math.round(value * scale);
    }
  }
  return out;
}

/** Most pixels of a PNG, which is decoded whole (2^27 ≈ 134 M: at most 1 GiB decoded, RGBA 16-bit). */
const MAX_PNG_PIXELS = 2 ** 27;

/**
 * Throws INVALID_IMAGE when the IHDR declares an empty image or more than `MAX_PNG_PIXELS`
 * pixels, before anything is read whole or decoded (a 1.6 MB file may declare 40000²).
 */
async function checkHeader(source: ByteSource): Promise<void> {
  if (source.size < 33) throw invalidImage("not a readable PNG (too short for its IHDR header)", { where: source.name });
  const head = await source.read(0, 33);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (String.fromCharCode(...head.subarray(12, 16)) !== "IHDR") {
    throw invalidImage("not a readable PNG (the first chunk is not IHDR)", { where: source.name });
  }
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  if (width === 0 || height === 0)
    throw invalidImage(`PNG size ${width}×${height} is empty`, { where: source.name, allowed: "width and height of 1 or more" });
  if (width * height > MAX_PNG_PIXELS) {
    throw invalidImage(`PNG of ${width}×${height} pixels is larger than the limit of ${MAX_PNG_PIXELS} pixels (a PNG is decoded whole)`, {
      where: source.name,
      allowed: `width × height up to ${MAX_PNG_PIXELS}; store larger images as TIFF, OME-Zarr or CZI`,
    });
  }
}

export class PngImageSource implements ImageSource {
  readonly info: ImageInfo;

  private constructor(
    private readonly name: string,
    private readonly pixels: Uint8Array | Uint16Array,
    info: ImageInfo,
  ) {
    this.info = info;
  }

  static async open(source: ByteSource): Promise<PngImageSource> {
    await checkHeader(source);
    const bytes = await source.read(0, source.size);
    await source.close();
    let png: DecodedPng;
    try {
      png = decode(bytes);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw invalidImage(`not a readable PNG (${why}); the file may be truncated or corrupt`, { where: source.name, cause: e });
    }
    let pixels: Uint8Array | Uint16Array;
    let channels = png.channels;
    let depth: number = png.depth;
    const details: Record<string, unknown> = { bitDepth: png.depth };
    if (png.palette) {
      pixels = convertIndexedToRgb(png);
      channels = png.palette[0]?.length ?? 3;
      depth = 8;
      details.palette = png.palette.length;
    } else if (png.depth < 8) {
      pixels = unpackLowBitGrey(png);
      depth = 8;
    } else {
      pixels = png.data instanceof Uint16Array ? png.data : new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength);
    }
    const sampleOrder = ORDERS[channels];
    if (!sampleOrder || pixels.length !== png.width * png.height * channels) {
      throw invalidImage(`PNG decodes to ${pixels.length} samples, expected ${png.width}×${png.height}×${channels}`, {
        where: source.name,
      });
    }
    const res = png.resolution;
    const physicalSize =
      res && res.unit === 1 && res.x > 0 && res.y > 0 ? { x: roundSignificant(1 / res.x), y: roundSignificant(1 / res.y) } : undefined;
    if (Object.keys(png.text).length > 0) details.text = Object.keys(png.text);
    const labelClasses = labelClassesOfPngText(png.text);
    return new PngImageSource(source.name, pixels, {
      format: "png",
      width: png.width,
      height: png.height,
      scenes: [{ width: png.width, height: png.height }],
      sizes: { scene: 1, t: 1, c: 1, z: 1 },
      samplesPerPixel: channels,
      sampleOrder,
      sampleType: depth === 16 ? "uint16" : "uint8",
      ...(physicalSize ? { physicalSize } : {}),
      ...(labelClasses ? { labelClasses } : {}),
      details,
    });
  }

  async readRegion(plane: PlaneIndex, rect: Rect): Promise<SampleArray> {
    checkPlane(plane, this.info.sizes, this.name);
    checkRect(rect, this.info.width, this.info.height, this.name);
    const spp = this.info.samplesPerPixel;
    const out = allocSamples(this.info.sampleType, rect.width * rect.height * spp);
    for (let r = 0; r < rect.height; r++) {
      const src = ((rect.y + r) * this.info.width + rect.x) * spp;
      out.set(this.pixels.subarray(src, src + rect.width * spp), r * rect.width * spp);
    }
    return out;
  }

  async close(): Promise<void> {}
}

export function openPng(source: ByteSource): Promise<PngImageSource> {
  return PngImageSource.open(source);
}
