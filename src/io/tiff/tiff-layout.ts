/**
 * Which IFD (and which sample of it) holds each plane (scene, t, c, z) of a TIFF, for the
 * three kinds of multi-page TIFF we read:
 * - OME-TIFF: OME-XML sizes, DimensionOrder and TiffData; each OME `Image` is a scene
 *   (images whose C/Z/T sizes or pixel type differ from the first are skipped and listed);
 * - ImageJ hyperstack: `channels`/`slices`/`frames`, pages in order C, Z, T;
 * - plain TIFF: every full-resolution page of the first page's size and type is a Z plane.
 * Pyramids: only level 0 is read; SubIFDs are never followed and reduced-resolution pages
 * (NewSubfileType bit 0) are skipped. Pages with several samples that are not RGB (e.g. a
 * 5-sample min-is-black page) are split into C planes, one per sample. Isomorphic.
 */
import { invalidImage, unsupported } from "../../errors.js";
import { toMetres } from "../physical-units.js";
import type { PhysicalSize, SampleOrder, SampleType } from "../types.js";
import { checkDecodable, compressionName, sampleTypeOf, type IfdInfo } from "./ifd.js";
import { isImageJ, parseImageJ } from "./imagej.js";
import { isOmeXml, omePlaneIfds, parseOmeXml, planeOrdinal } from "./ome-xml-read.js";

interface PlaneRef {
  ifd: number;
  /** The sample of the page that is this plane, or `null` for all samples (interleaved). */
  sample: number | null;
}

interface TiffScene {
  width: number;
  height: number;
  name?: string;
  /** Indexed `(t × C + c) × Z + z`. */
  planes: PlaneRef[];
}

export interface TiffLayout {
  format: "tiff" | "ome-tiff";
  scenes: TiffScene[];
  sizes: { t: number; c: number; z: number };
  sampleType: SampleType;
  samplesPerPixel: number;
  sampleOrder: SampleOrder;
  channelNames?: string[];
  physicalSize?: PhysicalSize;
  significantBits?: number;
  details: Record<string, unknown>;
}

interface PixelKind {
  sampleType: SampleType;
  /** Samples per output pixel: page samples, or 1 when the samples are split into C planes. */
  samplesPerPixel: number;
  sampleOrder: SampleOrder;
  split: boolean;
  pageSamples: number;
}

function pixelKind(ifd: IfdInfo, fileName: string): PixelKind {
  const sampleType = sampleTypeOf(ifd, fileName);
  const spp = ifd.samplesPerPixel;
  if (ifd.photometric === 2)
    return { sampleType, samplesPerPixel: spp, sampleOrder: spp === 4 ? "rgba" : "rgb", split: false, pageSamples: spp };
  if (spp === 1) return { sampleType, samplesPerPixel: 1, sampleOrder: "gray", split: false, pageSamples: 1 };
  if (spp === 2 && (ifd.extraSamples[0] === 1 || ifd.extraSamples[0] === 2)) {
    return { sampleType, samplesPerPixel: 2, sampleOrder: "gray-alpha", split: false, pageSamples: 2 };
  }
  return { sampleType, samplesPerPixel: 1, sampleOrder: "gray", split: true, pageSamples: spp };
}

function sameKind(a: PixelKind, b: PixelKind): boolean {
  return a.sampleType === b.sampleType && a.pageSamples === b.pageSamples && a.sampleOrder === b.sampleOrder && a.split === b.split;
}

/** Check that every page used has the pixel kind of the first and can be decoded. */
function checkPages(ifds: IfdInfo[], used: Iterable<number>, kind: PixelKind, littleEndian: boolean, fileName: string): void {
  for (const i of new Set(used)) {
    const ifd = ifds[i]!;
    checkDecodable(ifd, littleEndian, fileName);
    const k = pixelKind(ifd, fileName);
    if (!sameKind(k, kind)) {
      throw unsupported(
        `unsupported: page ${i} holds ${k.pageSamples} ${k.sampleType} samples per pixel but page ${ifds[0]!.index} holds ${kind.pageSamples} ${kind.sampleType}`,
        { where: fileName, allowed: "the same pixel type on every page of an image" },
      );
    }
  }
}

function resolutionPhysicalSize(ifd: IfdInfo, unit?: string): PhysicalSize | undefined {
  const r = ifd.resolution;
  if (!r) return undefined;
  const unitMetres = unit !== undefined ? toMetres(1, unit) : r.unit === 3 ? 0.01 : undefined; // 3 = centimetre
  if (unitMetres === undefined) return undefined;
  const x = toMetres(unitMetres / r.x, "m");
  const y = toMetres(unitMetres / r.y, "m");
  return x !== undefined && y !== undefined ? { x, y } : undefined;
}

export function buildTiffLayout(ifds: IfdInfo[], littleEndian: boolean, fileName: string): TiffLayout {
  const first = ifds[0];
  if (!first) throw invalidImage("TIFF has no pages", { where: fileName });
  const details: Record<string, unknown> = {
    pages: ifds.length,
    compression: compressionName(first.compression) ?? `code ${first.compression}`,
    tiled: first.tiled,
    ...(first.tiled ? { tileSize: [first.blockWidth, first.blockHeight] } : { rowsPerStrip: first.blockHeight }),
    pyramidLevels: 1 + Math.max(first.subIfdCount, ifds.filter((f) => f.reducedResolution).length),
  };
  if (isOmeXml(first.description)) return omeLayout(ifds, littleEndian, fileName, details);
  const kind = pixelKind(first, fileName);
  if (isImageJ(first.description)) {
    const ij = parseImageJ(first.description!);
    const c = kind.split ? ij.channels * kind.pageSamples : ij.channels;
    const pagesNeeded = ij.channels * ij.slices * ij.frames;
    if (pagesNeeded > 1 && ifds.length < pagesNeeded) {
      throw unsupported(
        `unsupported ImageJ hyperstack of ${pagesNeeded} images stored in ${ifds.length} page(s) (contiguous data beyond the first page)`,
        { where: fileName },
      );
    }
    const planes: PlaneRef[] = [];
    for (let t = 0; t < ij.frames; t++)
      for (let ch = 0; ch < c; ch++)
        for (let z = 0; z < ij.slices; z++) {
          const pageC = kind.split ? Math.floor(ch / kind.pageSamples) : ch;
          planes.push({ ifd: (t * ij.slices + z) * ij.channels + pageC, sample: kind.split ? ch % kind.pageSamples : null });
        }
    checkPages(
      ifds,
      planes.map((p) => p.ifd),
      kind,
      littleEndian,
      fileName,
    );
    const xy = resolutionPhysicalSize(first, ij.unit);
    const zMetres = ij.spacing !== undefined && ij.unit !== undefined ? toMetres(ij.spacing, ij.unit) : undefined;
    const physicalSize = xy || zMetres ? { ...xy, ...(zMetres !== undefined ? { z: zMetres } : {}) } : undefined;
    return {
      format: "tiff",
      scenes: [{ width: first.width, height: first.height, planes }],
      sizes: { t: ij.frames, c, z: ij.slices },
      ...kindFields(kind),
      ...(physicalSize ? { physicalSize } : {}),
      details: { ...details, imagej: true },
    };
  }
  // Plain TIFF: full-resolution pages like the first are Z planes.
  const stack: number[] = [];
  const skipped: number[] = [];
  for (const ifd of ifds) {
    if (ifd.reducedResolution) continue;
    let same = ifd.width === first.width && ifd.height === first.height;
    if (same) {
      try {
        same = sameKind(pixelKind(ifd, fileName), kind);
      } catch {
        same = false;
      }
    }
    (same ? stack : skipped).push(ifd.index);
  }
  checkPages(ifds, stack, kind, littleEndian, fileName);
  const c = kind.split ? kind.pageSamples : 1;
  const planes: PlaneRef[] = [];
  for (let ch = 0; ch < c; ch++) for (const ifd of stack) planes.push({ ifd, sample: kind.split ? ch : null });
  const physicalSize = resolutionPhysicalSize(first);
  return {
    format: "tiff",
    scenes: [{ width: first.width, height: first.height, planes }],
    sizes: { t: 1, c, z: stack.length },
    ...kindFields(kind),
    ...(physicalSize ? { physicalSize } : {}),
    details: { ...details, ...(skipped.length > 0 ? { skippedPages: skipped } : {}) },
  };
}

function kindFields(kind: PixelKind): Pick<TiffLayout, "sampleType" | "samplesPerPixel" | "sampleOrder"> {
  return { sampleType: kind.sampleType, samplesPerPixel: kind.samplesPerPixel, sampleOrder: kind.sampleOrder };
}

function omeLayout(ifds: IfdInfo[], littleEndian: boolean, fileName: string, details: Record<string, unknown>): TiffLayout {
  const images = parseOmeXml(ifds[0]!.description!, fileName);
  const scenes: TiffScene[] = [];
  const skipped: number[] = [];
  let sizes: TiffLayout["sizes"] | undefined;
  let kind: PixelKind | undefined;
  let channelNames: string[] | undefined;
  images.forEach((image, i) => {
    // The first TiffData's IFD tells which page holds the image's pixels.
    const firstIfd = ifds[image.tiffData[0]?.ifd ?? 0];
    if (!firstIfd)
      throw invalidImage(`OME-XML Image[${i}] refers to IFD ${image.tiffData[0]?.ifd} but the file has only ${ifds.length}`, {
        where: fileName,
      });
    const k = pixelKind(firstIfd, fileName);
    const cPages = image.sizeC % k.pageSamples === 0 ? image.sizeC / k.pageSamples : image.sizeC;
    const c = k.split ? cPages * k.pageSamples : cPages;
    if (kind && sizes && !(sameKind(k, kind) && sizes.c === c && sizes.z === image.sizeZ && sizes.t === image.sizeT)) {
      skipped.push(i);
      return;
    }
    kind ??= k;
    sizes ??= { t: image.sizeT, c, z: image.sizeZ };
    const pageOf = omePlaneIfds(image, cPages, ifds.length, fileName, i);
    const planes: PlaneRef[] = [];
    for (let t = 0; t < image.sizeT; t++)
      for (let ch = 0; ch < c; ch++)
        for (let z = 0; z < image.sizeZ; z++) {
          const pageC = k.split ? Math.floor(ch / k.pageSamples) : ch;
          const ordinal = planeOrdinal(image.dimensionOrder, { c: cPages, z: image.sizeZ, t: image.sizeT }, { c: pageC, z, t });
          planes.push({ ifd: pageOf[ordinal]!, sample: k.split ? ch % k.pageSamples : null });
        }
    for (const p of planes) {
      const ifd = ifds[p.ifd]!;
      if (ifd.width !== image.sizeX || ifd.height !== image.sizeY) {
        throw invalidImage(`page ${p.ifd} is ${ifd.width}×${ifd.height} but OME-XML Image[${i}] says ${image.sizeX}×${image.sizeY}`, {
          where: fileName,
        });
      }
    }
    checkPages(
      ifds,
      planes.map((p) => p.ifd),
      kind,
      littleEndian,
      fileName,
    );
    scenes.push({ width: image.sizeX, height: image.sizeY, ...(image.name !== undefined ? { name: image.name } : {}), planes });
    if (!channelNames) {
      const names: string[] = [];
      image.channels.forEach((ch, j) => {
        const n = k.split ? (ch.samplesPerPixel ?? 1) : 1;
        for (let s = 0; s < n; s++) names.push(ch.name ?? `C${j}`);
      });
      if (names.length === c && image.channels.some((ch) => ch.name !== undefined)) channelNames = names;
    }
  });
  const image0 = images[0]!;
  const physicalSize = Object.keys(image0.physicalSize).length > 0 ? image0.physicalSize : undefined;
  return {
    format: "ome-tiff",
    scenes,
    sizes: sizes!,
    ...kindFields(kind!),
    ...(channelNames ? { channelNames } : {}),
    ...(physicalSize ? { physicalSize } : {}),
    ...(image0.significantBits !== undefined ? { significantBits: image0.significantBits } : {}),
    details: { ...details, dimensionOrder: image0.dimensionOrder, ...(skipped.length > 0 ? { skippedImages: skipped } : {}) },
  };
}
