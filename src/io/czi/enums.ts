/**
 * CZI code tables: pixel types (code → name, bytes per pixel, samples, sample type, order)
 * and compression codes (code → name). Values from the CZI reference (docs/czi.md#pixel-types, docs/czi.md#compression), which
 * follows libCZI and czifile. Pixel types whose sample layout the sources disagree on
 * (Gray32, Gray64 / Gray64Float) or that are complex are listed but not readable.
 */
import type { SampleOrder, SampleType } from "../types.js";

export interface CziPixelType {
  code: number;
  name: string;
  bytesPerPixel: number;
  samplesPerPixel: number;
  /** Missing when we cannot read it. */
  sampleType?: SampleType;
  sampleOrder?: SampleOrder;
  /** Why it is not readable (set iff `sampleType` is missing). */
  unsupportedReason?: string;
}

const PIXEL_TYPES: readonly CziPixelType[] = [
  { code: 0, name: "Gray8", bytesPerPixel: 1, samplesPerPixel: 1, sampleType: "uint8", sampleOrder: "gray" },
  { code: 1, name: "Gray16", bytesPerPixel: 2, samplesPerPixel: 1, sampleType: "uint16", sampleOrder: "gray" },
  { code: 2, name: "Gray32Float", bytesPerPixel: 4, samplesPerPixel: 1, sampleType: "float32", sampleOrder: "gray" },
  { code: 3, name: "Bgr24", bytesPerPixel: 3, samplesPerPixel: 3, sampleType: "uint8", sampleOrder: "bgr" },
  { code: 4, name: "Bgr48", bytesPerPixel: 6, samplesPerPixel: 3, sampleType: "uint16", sampleOrder: "bgr" },
  { code: 8, name: "Bgr96Float", bytesPerPixel: 12, samplesPerPixel: 3, sampleType: "float32", sampleOrder: "bgr" },
  { code: 9, name: "Bgra32", bytesPerPixel: 4, samplesPerPixel: 4, sampleType: "uint8", sampleOrder: "bgra" },
  { code: 10, name: "Gray64ComplexFloat", bytesPerPixel: 16, samplesPerPixel: 1, unsupportedReason: "complex pixels" },
  { code: 11, name: "Bgr192ComplexFloat", bytesPerPixel: 24, samplesPerPixel: 3, unsupportedReason: "complex pixels" },
  { code: 12, name: "Gray32", bytesPerPixel: 4, samplesPerPixel: 1, unsupportedReason: "sample layout undocumented (int32 or float?)" },
  { code: 13, name: "Gray64", bytesPerPixel: 8, samplesPerPixel: 1, unsupportedReason: "sample layout undocumented (int64 or float64?)" },
];

const BY_CODE = new Map(PIXEL_TYPES.map((p) => [p.code, p]));

/** The pixel type for `code`, or undefined when the code is unknown. */
export function pixelTypeByCode(code: number): CziPixelType | undefined {
  return BY_CODE.get(code);
}

export const READABLE_PIXEL_TYPES = PIXEL_TYPES.filter((p) => p.sampleType).map((p) => p.name);

/** Compression codes. */
export const Compression = {
  uncompressed: 0,
  jpeg: 1,
  lzw: 2,
  jpegLossless: 3,
  jpegXr: 4,
  zstd0: 5,
  zstd1: 6,
} as const;

const COMPRESSION_NAMES: Record<number, string> = {
  0: "uncompressed",
  1: "JPEG",
  2: "LZW",
  3: "JPEG lossless",
  4: "JPEG-XR",
  5: "zstd0",
  6: "zstd1",
};

export function compressionName(code: number): string {
  const known = COMPRESSION_NAMES[code];
  if (known) return known;
  if (code >= 100 && code <= 999) return `camera-specific raw (${code})`;
  if (code >= 1000) return `system-specific raw (${code})`;
  return `unknown compression ${code}`;
}

export const READABLE_COMPRESSIONS = "uncompressed, zstd0, zstd1, JPEG-XR";

export function isReadableCompression(code: number): boolean {
  return code === Compression.uncompressed || code === Compression.zstd0 || code === Compression.zstd1 || code === Compression.jpegXr;
}
