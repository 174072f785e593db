/**
 * Which IFD (and which sample of it) holds each plane (scene, t, c, z) of a TIFF, for the
 * three kinds of multi-page TIFF we read:
 * - OME-TIFF: OME-XML sizes, DimensionOrder and TiffData; each OME `Image` is a scene
 *   (images whose C/Z/T sizes or pixel type differ from the first are skipped and listed);
 *   pages may be in sibling files of a set (`ome-files.ts`), whose pages are checked when opened;
 * - ImageJ hyperstack: `channels`/`slices`/`frames`, pages in order C, Z, T;
 * - plain TIFF: every full-resolution page of the first page's size and type is a Z plane.
 * Pyramids: only level 0 is read; SubIFDs are never followed and reduced-resolution pages
 * (NewSubfileType bit 0) are skipped. Pages with several samples that are not RGB (e.g. a
 * 5-sample min-is-black page) are split into C planes, one per sample. Isomorphic.
 */
import { internalError, invalidImage, unsupported } from "../../errors.js";
import { toMetres } from "../physical-units.js";
import type { OutputClass, PhysicalSize, RgbColor, SampleOrder, SampleType } from "../types.js";
import { checkBlocksInside, checkDecodable, compressionName, sampleTypeOf, type IfdInfo } from "./ifd.js";
import { isImageJ, parseImageJ } from "./imagej.js";
import { omePlaneIfds, planeOrdinal, type OmeImage, type OmeTiffData } from "./ome-xml-read.js";

interface PlaneRef {
  /** The file holding the page: `null` for the file read, else a sibling's name (OME-TIFF sets). */
  file: string | null;
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
  channelColors?: (RgbColor | null)[];
  physicalSize?: PhysicalSize;
  significantBits?: number;
  /** The classes a czmodel label output records (OME-XML MapAnnotations). */
  labelClasses?: OutputClass[];
  details: Record<string, unknown>;
  pageKind: PixelKind;
  /** OME-TIFF sets: per sibling file, the size each of its pages used must have. */
  siblingPages?: Map<string, Map<number, { width: number; height: number }>>;
}

export interface PixelKind {
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

/** What `image-info` shows of a file's pages (from the first page). */
export function pageDetails(ifds: IfdInfo[]): Record<string, unknown> {
  const first = ifds[0]!;
  return {
    pages: ifds.length,
    compression: compressionName(first.compression) ?? `code ${first.compression}`,
    tiled: first.tiled,
    ...(first.tiled ? { tileSize: [first.blockWidth, first.blockHeight] } : { rowsPerStrip: first.blockHeight }),
    pyramidLevels: 1 + Math.max(first.subIfdCount, ifds.filter((f) => f.reducedResolution).length),
  };
}

/** Layout of a TIFF that is not OME-TIFF (OME-XML is laid out by `buildOmeLayout`). */
export function buildTiffLayout(ifds: IfdInfo[], littleEndian: boolean, fileName: string): TiffLayout {
  const first = ifds[0];
  if (!first) throw invalidImage("TIFF has no pages", { where: fileName });
  const details = pageDetails(ifds);
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
          planes.push({ file: null, ifd: (t * ij.slices + z) * ij.channels + pageC, sample: kind.split ? ch % kind.pageSamples : null });
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
  for (let ch = 0; ch < c; ch++) for (const ifd of stack) planes.push({ file: null, ifd, sample: kind.split ? ch : null });
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

function kindFields(kind: PixelKind): Pick<TiffLayout, "sampleType" | "samplesPerPixel" | "sampleOrder" | "pageKind"> {
  return { sampleType: kind.sampleType, samplesPerPixel: kind.samplesPerPixel, sampleOrder: kind.sampleOrder, pageKind: kind };
}

/** Check the pages a layout uses in sibling `name` (first use): present, of the image's size and pixel kind. */
export function checkSiblingPages(
  pages: { ifds: IfdInfo[]; littleEndian: boolean; source: { name: string; size: number } },
  used: Map<number, { width: number; height: number }>,
  kind: PixelKind,
): void {
  const where = pages.source.name;
  for (const [i, size] of used) {
    const ifd = pages.ifds[i];
    if (!ifd) throw invalidImage(`OME-XML refers to IFD ${i} but the file has only ${pages.ifds.length}`, { where });
    if (ifd.width !== size.width || ifd.height !== size.height)
      throw invalidImage(`page ${i} is ${ifd.width}×${ifd.height} but OME-XML says ${size.width}×${size.height}`, { where });
    checkBlocksInside(ifd, pages.source.size, where);
  }
  checkPages(pages.ifds, used.keys(), kind, pages.littleEndian, where);
}

/** Pages of a file of an OME-TIFF set where known; `undefined` for a sibling not opened yet. */
type PagesOf = (file: string | null) => { ifds: IfdInfo[]; littleEndian: boolean } | undefined;

interface OmeLayoutInput {
  images: OmeImage[];
  pagesOf: PagesOf;
  /** Which file holds a TiffData's planes (`ome-files.ts`). */
  fileOf: (td: OmeTiffData) => string | null;
  fileName: string;
  details: Record<string, unknown>;
}

/** Pixel kind of an image's first page, or `undefined` when that page is in a sibling not yet open. */
function firstPageKind(image: OmeImage, i: number, input: OmeLayoutInput): PixelKind | undefined {
  const td0 = image.tiffData[0];
  const pages = input.pagesOf(td0 ? input.fileOf(td0) : null);
  if (!pages) return undefined;
  const page = pages.ifds[td0?.ifd ?? 0];
  if (!page)
    throw invalidImage(`OME-XML Image[${i}] refers to IFD ${td0?.ifd} but the file has only ${pages.ifds.length}`, {
      where: input.fileName,
    });
  return pixelKind(page, input.fileName);
}

/** Check the planes in the file read now; note those in siblings (checked when each is opened). */
function checkOmePlanes(
  planes: PlaneRef[],
  image: OmeImage,
  i: number,
  kind: PixelKind,
  input: OmeLayoutInput,
  siblings: NonNullable<TiffLayout["siblingPages"]>,
): void {
  const own = input.pagesOf(null);
  const size = { width: image.sizeX, height: image.sizeY };
  for (const p of planes) {
    if (p.file !== null) {
      const pages = siblings.get(p.file) ?? new Map<number, { width: number; height: number }>();
      siblings.set(p.file, pages.set(p.ifd, size));
      continue;
    }
    if (!own) throw invalidImage("OME-XML places planes in this file, which holds no TIFF pages", { where: input.fileName });
    const ifd = own.ifds[p.ifd]!;
    if (ifd.width !== image.sizeX || ifd.height !== image.sizeY) {
      throw invalidImage(`page ${p.ifd} is ${ifd.width}×${ifd.height} but OME-XML Image[${i}] says ${image.sizeX}×${image.sizeY}`, {
        where: input.fileName,
      });
    }
  }
  const ownPlanes = planes.filter((p) => p.file === null).map((p) => p.ifd);
  if (own && ownPlanes.length > 0) checkPages(own.ifds, ownPlanes, kind, own.littleEndian, input.fileName);
}

/** Channel colours of an image, one per C plane, if any channel has one. */
function omeChannelColors(image: OmeImage, k: PixelKind, c: number): (RgbColor | null)[] | undefined {
  const colors: (RgbColor | null)[] = [];
  for (const ch of image.channels) {
    const n = k.split ? (ch.samplesPerPixel ?? 1) : 1;
    for (let s = 0; s < n; s++) colors.push(ch.color ?? null);
  }
  return colors.length === c && colors.some((x) => x !== null) ? colors : undefined;
}

/** Channel names of an image, one per C plane, if any channel is named. */
function omeChannelNames(image: OmeImage, k: PixelKind, c: number): string[] | undefined {
  const names: string[] = [];
  image.channels.forEach((ch, j) => {
    const n = k.split ? (ch.samplesPerPixel ?? 1) : 1;
    for (let s = 0; s < n; s++) names.push(ch.name ?? `C${j}`);
  });
  return names.length === c && image.channels.some((ch) => ch.name !== undefined) ? names : undefined;
}

/** Layout of an OME-TIFF (one file, or a set of files: see `ome-files.ts`). */
export function buildOmeLayout(input: OmeLayoutInput): TiffLayout {
  const { images, fileName, details } = input;
  const scenes: TiffScene[] = [];
  const skipped: number[] = [];
  const siblingPages: NonNullable<TiffLayout["siblingPages"]> = new Map();
  let sizes: TiffLayout["sizes"] | undefined;
  let kind: PixelKind | undefined;
  let channelNames: string[] | undefined;
  let channelColors: (RgbColor | null)[] | undefined;
  images.forEach((image, i) => {
    const k = firstPageKind(image, i, input) ?? kind;
    if (!k) throw internalError("the first page of an OME-TIFF set is not open", { where: fileName });
    const cPages = image.sizeC % k.pageSamples === 0 ? image.sizeC / k.pageSamples : image.sizeC;
    const c = k.split ? cPages * k.pageSamples : cPages;
    if (kind && sizes && !(sameKind(k, kind) && sizes.c === c && sizes.z === image.sizeZ && sizes.t === image.sizeT)) {
      skipped.push(i);
      return;
    }
    kind ??= k;
    sizes ??= { t: image.sizeT, c, z: image.sizeZ };
    const where = `${fileName}: OME-XML: Image[${i}]`;
    const pageOf = omePlaneIfds(image, cPages, (f) => input.pagesOf(f)?.ifds.length, where, input.fileOf);
    const planes: PlaneRef[] = [];
    for (let t = 0; t < image.sizeT; t++)
      for (let ch = 0; ch < c; ch++)
        for (let z = 0; z < image.sizeZ; z++) {
          const pageC = k.split ? Math.floor(ch / k.pageSamples) : ch;
          const at = pageOf[planeOrdinal(image.dimensionOrder, { c: cPages, z: image.sizeZ, t: image.sizeT }, { c: pageC, z, t })]!;
          planes.push({ file: at.file, ifd: at.ifd, sample: k.split ? ch % k.pageSamples : null });
        }
    checkOmePlanes(planes, image, i, kind, input, siblingPages);
    scenes.push({ width: image.sizeX, height: image.sizeY, ...(image.name !== undefined ? { name: image.name } : {}), planes });
    channelNames ??= omeChannelNames(image, k, c);
    channelColors ??= omeChannelColors(image, k, c);
  });
  const image0 = images[0]!;
  const physicalSize = Object.keys(image0.physicalSize).length > 0 ? image0.physicalSize : undefined;
  return {
    format: "ome-tiff",
    scenes,
    sizes: sizes!,
    ...kindFields(kind!),
    ...(channelNames ? { channelNames } : {}),
    ...(channelColors ? { channelColors } : {}),
    ...(physicalSize ? { physicalSize } : {}),
    ...(image0.significantBits !== undefined ? { significantBits: image0.significantBits } : {}),
    ...(siblingPages.size > 0 ? { siblingPages } : {}),
    details: {
      ...details,
      dimensionOrder: image0.dimensionOrder,
      ...(siblingPages.size > 0
        ? { files: siblingPages.size + (input.pagesOf(null) && scenes.some((s) => s.planes.some((p) => p.file === null)) ? 1 : 0) }
        : {}),
      ...(skipped.length > 0 ? { skippedImages: skipped } : {}),
    },
  };
}
