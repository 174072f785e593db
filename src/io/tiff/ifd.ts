/**
 * The facts the TIFF reader needs about one IFD (page), taken from geotiff's parsed
 * `ImageFileDirectory`, plus the checks that turn what we cannot read into clear errors:
 * sample format / bits (→ `SampleType`), photometric interpretation, compression, and the
 * "truncated file" check of every tile/strip against the file size. Isomorphic.
 */
import type { ImageFileDirectory } from "geotiff";
import { invalidImage, unsupported } from "../../errors.js";
import { MAX_BLOCK_BYTES } from "../limits.js";
import type { SampleType } from "../types.js";

export interface IfdInfo {
  index: number;
  width: number;
  height: number;
  samplesPerPixel: number;
  bitsPerSample: number;
  /** TIFF SampleFormat: 1 uint, 2 int, 3 float (others are rejected by `sampleTypeOf`). */
  sampleFormat: number;
  photometric: number;
  compression: number;
  predictor: number;
  /** 1 contiguous (samples interleaved), 2 separate (one block set per sample). */
  planar: 1 | 2;
  /** NewSubfileType bit 0: a reduced-resolution copy of another page. */
  reducedResolution: boolean;
  tiled: boolean;
  blockWidth: number;
  blockHeight: number;
  blockOffsets: ArrayLike<number>;
  blockByteCounts: ArrayLike<number>;
  extraSamples: number[];
  description?: string;
  subIfdCount: number;
  jpegTables?: ArrayLike<number>;
  resolution?: { x: number; y: number; unit: number };
}

const COMPRESSION_NAMES: Record<number, string> = {
  1: "none",
  5: "LZW",
  7: "JPEG",
  8: "deflate",
  32946: "deflate",
  32773: "PackBits",
  50000: "zstd",
  50001: "WebP",
};

/** Compressions we decode with geotiff's decoders (LERC is left out: it needs LercParameters). */
export function compressionName(code: number): string | undefined {
  return COMPRESSION_NAMES[code];
}

function numberArray(v: unknown): number[] {
  if (v === undefined || v === null) return [];
  if (typeof v === "number" || typeof v === "bigint") return [Number(v)];
  if (typeof v === "string") return [];
  return Array.from(v as ArrayLike<number | bigint>, Number);
}

function first(v: unknown, fallback: number): number {
  const a = numberArray(v);
  return a.length > 0 ? a[0]! : fallback;
}

function rational(v: unknown): number | undefined {
  const a = numberArray(v);
  if (a.length < 2 || a[1] === 0) return undefined;
  return a[0]! / a[1]!;
}

/** Read the IFD facts; all values must be loaded (the parser runs in eager mode). */
export function readIfdInfo(index: number, fd: ImageFileDirectory, fileName: string): IfdInfo {
  const get = (name: string): unknown => (fd as unknown as { getValue(n: string): unknown }).getValue(name);
  const width = first(get("ImageWidth"), 0);
  const height = first(get("ImageLength"), 0);
  const spp = first(get("SamplesPerPixel"), 1);
  const bits = numberArray(get("BitsPerSample"));
  const formats = numberArray(get("SampleFormat"));
  const where = `${fileName}: page ${index}`;
  if (width <= 0 || height <= 0) throw invalidImage(`image size ${width}×${height} is empty`, { where });
  if (spp < 1) throw invalidImage(`SamplesPerPixel=${spp} is impossible`, { where, allowed: "1 or more" });
  if (new Set(bits).size > 1) {
    throw unsupported(`unsupported: samples of different sizes (BitsPerSample=${bits.join(",")})`, {
      where,
      allowed: "the same BitsPerSample for every sample",
    });
  }
  if (new Set(formats).size > 1) {
    throw unsupported(`unsupported: samples of different formats (SampleFormat=${formats.join(",")})`, {
      where,
      allowed: "the same SampleFormat for every sample",
    });
  }
  const tiled = fd.hasTag("TileWidth") && fd.hasTag("TileOffsets");
  const rowsPerStrip = first(get("RowsPerStrip"), height);
  const offsets = numberArray(get(tiled ? "TileOffsets" : "StripOffsets"));
  const counts = numberArray(get(tiled ? "TileByteCounts" : "StripByteCounts"));
  const xRes = rational(get("XResolution"));
  const yRes = rational(get("YResolution"));
  const rawDescription = get("ImageDescription");
  const description = typeof rawDescription === "string" ? rawDescription.replace(/\0+$/, "") : undefined;
  const jpegTables = get("JPEGTables");
  const info: IfdInfo = {
    index,
    width,
    height,
    samplesPerPixel: spp,
    bitsPerSample: bits[0] ?? 1,
    sampleFormat: formats[0] ?? 1,
    photometric: first(get("PhotometricInterpretation"), spp >= 3 ? 2 : 1),
    compression: first(get("Compression"), 1),
    predictor: first(get("Predictor"), 1),
    planar: first(get("PlanarConfiguration"), 1) === 2 ? 2 : 1,
    reducedResolution: (first(get("NewSubfileType"), 0) & 1) === 1,
    tiled,
    blockWidth: tiled ? first(get("TileWidth"), 0) : width,
    blockHeight: tiled ? first(get("TileLength"), 0) : Math.min(rowsPerStrip, height),
    blockOffsets: offsets,
    blockByteCounts: counts,
    extraSamples: numberArray(get("ExtraSamples")),
    subIfdCount: numberArray(get("SubIFDs")).length,
    ...(typeof description === "string" ? { description } : {}),
    ...(jpegTables ? { jpegTables: jpegTables as ArrayLike<number> } : {}),
    ...(xRes && yRes ? { resolution: { x: xRes, y: yRes, unit: first(get("ResolutionUnit"), 2) } } : {}),
  };
  if (info.blockWidth <= 0 || info.blockHeight <= 0) throw invalidImage("tile or strip size is 0", { where });
  if (offsets.length === 0 || offsets.length !== counts.length) {
    throw invalidImage(`${offsets.length} ${tiled ? "tile" : "strip"} offsets but ${counts.length} byte counts`, { where });
  }
  return info;
}

/** The sample type of a page, or an UNSUPPORTED error naming the tag values. */
export function sampleTypeOf(ifd: IfdInfo, fileName: string): SampleType {
  const { sampleFormat: f, bitsPerSample: b } = ifd;
  const type: SampleType | undefined =
    f === 1
      ? ({ 8: "uint8", 16: "uint16", 32: "uint32" } as const)[b as 8 | 16 | 32]
      : f === 2
        ? ({ 8: "int8", 16: "int16", 32: "int32" } as const)[b as 8 | 16 | 32]
        : f === 3
          ? ({ 32: "float32", 64: "float64" } as const)[b as 32 | 64]
          : undefined;
  if (type) return type;
  const kind: Record<number, string> = {
    1: "unsigned integer",
    2: "signed integer",
    3: "floating point",
    4: "undefined",
    5: "complex integer",
    6: "complex floating point",
  };
  throw unsupported(`unsupported TIFF sample format: SampleFormat=${f} (${kind[f] ?? "unknown"}), BitsPerSample=${b}`, {
    where: `${fileName}: page ${ifd.index}`,
    allowed: "unsigned or signed integers of 8, 16 or 32 bits, floats of 32 or 64 bits",
  });
}

/** Throws when a page's compression, photometric interpretation or predictor cannot be read. */
export function checkDecodable(ifd: IfdInfo, littleEndian: boolean, fileName: string): void {
  const where = `${fileName}: page ${ifd.index}`;
  if (!compressionName(ifd.compression)) {
    throw unsupported(`unsupported TIFF compression ${ifd.compression}`, {
      where,
      allowed: "none (1), LZW (5), JPEG (7), deflate (8, 32946), PackBits (32773), zstd (50000), WebP (50001)",
    });
  }
  if (![0, 1, 2].includes(ifd.photometric)) {
    const names: Record<number, string> = { 3: "palette colour", 4: "transparency mask", 5: "CMYK", 6: "YCbCr", 8: "CIELab" };
    throw unsupported(`unsupported TIFF PhotometricInterpretation=${ifd.photometric} (${names[ifd.photometric] ?? "unknown"})`, {
      where,
      allowed: "min-is-white (0), min-is-black (1), RGB (2)",
    });
  }
  if (ifd.photometric === 2 && ifd.samplesPerPixel !== 3 && ifd.samplesPerPixel !== 4) {
    throw unsupported(`unsupported RGB TIFF with SamplesPerPixel=${ifd.samplesPerPixel}`, { where, allowed: "3 or 4" });
  }
  if (![1, 2, 3].includes(ifd.predictor)) {
    throw unsupported(`unsupported TIFF Predictor=${ifd.predictor}`, { where, allowed: "1 (none), 2 (horizontal), 3 (floating point)" });
  }
  if (!littleEndian && ifd.predictor === 2 && ifd.bitsPerSample > 8) {
    throw unsupported(`unsupported big-endian TIFF with horizontal predictor and ${ifd.bitsPerSample}-bit samples`, { where });
  }
}

/**
 * Throws INVALID_IMAGE when the declared block geometry cannot be real: one decoded tile or
 * strip larger than `MAX_BLOCK_BYTES` (TileWidth 2^31), or fewer offsets than the image size
 * needs (a 4294967295² image with one strip). So sizes are checked against the file before
 * anything is allocated.
 */
function checkBlockGeometry(ifd: IfdInfo, where: string): void {
  const sizeField = ifd.tiled ? "TileWidth × TileLength" : "ImageWidth × RowsPerStrip";
  const samples = ifd.planar === 2 ? 1 : ifd.samplesPerPixel;
  const bytes = ifd.blockWidth * ifd.blockHeight * samples * Math.ceil(ifd.bitsPerSample / 8);
  if (bytes > MAX_BLOCK_BYTES) {
    throw invalidImage(`${sizeField} = ${ifd.blockWidth}×${ifd.blockHeight} makes one ${ifd.tiled ? "tile" : "strip"} of ${bytes} bytes`, {
      where,
      allowed: `at most ${MAX_BLOCK_BYTES} bytes a block`,
    });
  }
  const needed =
    Math.ceil(ifd.width / ifd.blockWidth) * Math.ceil(ifd.height / ifd.blockHeight) * (ifd.planar === 2 ? ifd.samplesPerPixel : 1);
  if (ifd.blockOffsets.length < needed) {
    throw invalidImage(
      `${ifd.tiled ? "TileOffsets" : "StripOffsets"} has ${ifd.blockOffsets.length} entries but a ${ifd.width}×${ifd.height} image needs ${needed}`,
      { where },
    );
  }
}

/**
 * Throws INVALID_IMAGE when the page's block geometry is impossible (`checkBlockGeometry`) or
 * a tile or strip lies past the end of the file.
 */
export function checkBlocksInside(ifd: IfdInfo, fileSize: number, fileName: string): void {
  checkBlockGeometry(ifd, `${fileName}: page ${ifd.index}`);
  const kind = ifd.tiled ? "tile" : "strip";
  for (let i = 0; i < ifd.blockOffsets.length; i++) {
    const end = ifd.blockOffsets[i]! + ifd.blockByteCounts[i]!;
    if (end > fileSize) {
      throw invalidImage(
        `file is truncated: ${kind} ${i} of page ${ifd.index} needs bytes ${ifd.blockOffsets[i]}..${end} but the file has only ${fileSize}`,
        { where: fileName },
      );
    }
  }
}
