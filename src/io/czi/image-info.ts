/**
 * The `ImageInfo` of a CZI: the one sample format of the image (mixed gray types, or mixed
 * colour types, are widened to the largest), scene sizes and origins, channel names,
 * colours and scaling from the metadata, and the CZI-specific `details` that `image-info` prints (CZI
 * pixel type name, compressions, dimension sizes by letter (of the subblocks read, and of the
 * whole file for B/H/V/R/I … with several indices), extra dimensions folded into T, mosaic tile count, pyramid
 * levels, scenes, attachments, warnings). Plain JSON values only.
 */
import { unsupported } from "../../errors.js";
import { bytesPerSample, type ImageInfo, type RgbColor, type SampleOrder, type SampleType } from "../types.js";
import type { CziAttachment } from "./attachments.js";
import { readablePixelType } from "./decode.js";
import type { SubblockEntry } from "./directory.js";
import { compressionName, isReadableCompression } from "./enums.js";
import type { CziFileHeader } from "./file-header.js";
import type { CziLayout, CziPyramidLevel } from "./layout.js";
import type { CziMetadataSummary } from "./metadata.js";
import { subblockWhere } from "./subblock.js";

export interface PixelFormat {
  sampleType: SampleType;
  samplesPerPixel: number;
  sampleOrder: SampleOrder;
  /** CZI pixel type names present, by code. */
  names: string[];
}

const TYPE_RANK: Record<string, number> = { uint8: 0, uint16: 1, float32: 2 };

/** The one sample format of the image; errors when a pixel type is unreadable or sample counts differ. */
export function pixelFormat(entries: readonly SubblockEntry[], fileName: string, warnings: string[]): PixelFormat {
  const byCode = new Map<number, SubblockEntry>();
  for (const e of entries) if (!byCode.has(e.pixelType)) byCode.set(e.pixelType, e);
  const types = [...byCode.values()].sort((a, b) => a.pixelType - b.pixelType).map((e) => readablePixelType(e, subblockWhere(fileName, e)));
  const names = types.map((t) => t.name);
  if (new Set(types.map((t) => t.samplesPerPixel)).size > 1) {
    throw unsupported(`subblocks mix pixel types with different sample counts (${names.join(", ")})`, {
      where: fileName,
      allowed: "one pixel type, or gray types only, or colour types only",
    });
  }
  let sampleType = types[0]!.sampleType;
  for (const t of types) if (TYPE_RANK[t.sampleType]! > TYPE_RANK[sampleType]!) sampleType = t.sampleType;
  if (types.length > 1) warnings.push(`subblocks mix pixel types ${names.join(", ")}: all read as ${sampleType}`);
  return { sampleType, samplesPerPixel: types[0]!.samplesPerPixel, sampleOrder: types[0]!.sampleOrder!, names };
}

/** One warning per compression the file uses that we cannot decode. */
export function compressionWarnings(entries: readonly SubblockEntry[]): string[] {
  const unreadable = new Map<string, number>();
  for (const e of entries) {
    if (!isReadableCompression(e.compression)) {
      const name = compressionName(e.compression);
      unreadable.set(name, (unreadable.get(name) ?? 0) + 1);
    }
  }
  return [...unreadable].map(([name, n]) => `${n} subblock(s) use ${name} compression, which cannot be decoded`);
}

export interface CziInfoParts {
  layout: CziLayout;
  levels: readonly (CziPyramidLevel & { scenes: { width: number; height: number }[] })[];
  pixel: PixelFormat;
  fileHeader: CziFileHeader;
  metadata: CziMetadataSummary;
  attachments: readonly CziAttachment[];
  subblockCount: number;
  warnings: readonly string[];
}

export function buildCziInfo(p: CziInfoParts): ImageInfo {
  const { layout, pixel, metadata } = p;
  const scenes = layout.scenes.map((s) => ({
    width: s.bounds.width,
    height: s.bounds.height,
    ...(s.name ? { name: s.name } : {}),
    origin: { x: s.bounds.x - layout.origin.x, y: s.bounds.y - layout.origin.y },
  }));
  const info: ImageInfo = {
    format: "czi",
    width: scenes[0]!.width,
    height: scenes[0]!.height,
    scenes,
    sizes: { ...layout.sizes },
    samplesPerPixel: pixel.samplesPerPixel,
    sampleOrder: pixel.sampleOrder,
    sampleType: pixel.sampleType,
  };
  const bits = metadata.componentBitCount;
  if (bits !== undefined && Number.isInteger(bits) && bits <= 8 * bytesPerSample(pixel.sampleType)) info.significantBits = bits;
  const names = channelNames(metadata.channelNames, layout.starts.c, layout.sizes.c);
  if (names) info.channelNames = names;
  const colors = channelColors(metadata.channelColors, layout.starts.c, layout.sizes.c);
  if (colors) info.channelColors = colors;
  if (Object.keys(metadata.physicalSize).length > 0) info.physicalSize = { ...metadata.physicalSize };
  if (layout.foldedIntoT.length > 0) info.foldedIntoT = layout.foldedIntoT.map((f) => ({ ...f }));

  const dimensions: Record<string, number> = {};
  const dimensionStarts: Record<string, number> = {};
  for (const [letter, r] of Object.entries(layout.dimensions).sort(([a], [b]) => a.localeCompare(b))) {
    dimensions[letter] = r.size;
    if (r.start !== 0) dimensionStarts[letter] = r.start;
  }
  info.details = {
    cziVersion: `${p.fileHeader.major}.${p.fileHeader.minor}`,
    pixelType: pixel.names.join(", "),
    compression: [...new Set(layout.used.map((e) => compressionName(e.compression)))],
    dimensions,
    ...(Object.keys(dimensionStarts).length > 0 ? { dimensionStarts } : {}),
    ...(Object.keys(layout.otherDimensionSizes).length > 0 ? { otherDimensions: { ...layout.otherDimensionSizes } } : {}),
    ...(layout.foldedIntoT.length > 0 ? { foldedIntoT: layout.foldedIntoT.map((f) => `${f.name.toUpperCase()}=${f.size}`) } : {}),
    mosaicTiles: layout.dimensions.M?.size ?? 1,
    subblocks: p.subblockCount,
    pyramidLevels: p.levels.map((l) => ({
      level: l.level,
      downsample: l.downsample,
      subblocks: l.subblocks,
      width: l.scenes[0]!.width,
      height: l.scenes[0]!.height,
    })),
    scenes: layout.scenes.map((s, i) => ({
      ...(s.cziIndex === undefined ? {} : { index: s.cziIndex }),
      ...(s.name ? { name: s.name } : {}),
      x: scenes[i]!.origin.x,
      y: scenes[i]!.origin.y,
      width: s.bounds.width,
      height: s.bounds.height,
      subblocks: s.subblocks,
    })),
    attachments: p.attachments.map((a) => ({ name: a.name, contentType: a.contentType, size: a.size })),
    ...(metadata.componentBitCount !== undefined ? { componentBitCount: metadata.componentBitCount } : {}),
    ...(p.warnings.length > 0 ? { warnings: [...p.warnings] } : {}),
  };
  return info;
}

/** Names for planes c = 0 … count − 1 (the file's C index starts at `start`); empty names become `C<index>`. */
function channelNames(all: string[], start: number, count: number): string[] | undefined {
  if (all.length < start + count || all.every((n) => n === "")) return undefined;
  return all.slice(start, start + count).map((n, i) => n || `C${start + i}`);
}

/** Colours for planes c = 0 … count − 1, as `channelNames` picks the names; undefined when the file gives none. */
function channelColors(all: (RgbColor | null)[], start: number, count: number): (RgbColor | null)[] | undefined {
  if (all.length < start + count) return undefined;
  const picked = all.slice(start, start + count);
  return picked.some((c) => c !== null) ? picked : undefined;
}
