/**
 * `ImageSource` for TIFF, BigTIFF, OME-TIFF (one file or a multi-file set) and ImageJ TIFF,
 * reading lazily through a `ByteSource`: `tiff-pages.ts` parses the IFDs, `tiff-layout.ts`
 * maps planes to pages, and `block-reader.ts` decodes only the tiles/strips a region touches.
 * Pages in sibling files of an OME-TIFF set are read through `ome-files.ts`'s `SiblingFiles`
 * (a few files open at once); a companion `.ome` metadata file opens with `openOmeCompanion`.
 * Isomorphic.
 */
import { invalidArgument } from "../../errors.js";
import { checkPlane, checkRect } from "../region.js";
import type { RegionReaderInto } from "../reuse.js";
import type { ByteSource } from "../../bytes/byte-source.js";
import {
  allocSamples,
  bytesPerSample,
  type ImageInfo,
  type ImageSource,
  type PlaneIndex,
  type Rect,
  type SampleArray,
  type SampleType,
} from "../types.js";
import type { BlockCache } from "./block-cache.js";
import { BlockReader, type Inflate } from "./block-reader.js";
import { checkBlocksInside, sampleTypeOf, type IfdInfo } from "./ifd.js";
import {
  baseName,
  checkSiblingName,
  readMetadataText,
  noSiblings,
  SiblingFiles,
  tiffDataFile,
  type OpenSibling,
  type OpenTiff,
} from "./ome-files.js";
import { isOmeXml, parseOmeDocument, type OmeDocument, type OmeTiffData } from "./ome-xml-read.js";
import { buildOmeLayout, buildTiffLayout, checkSiblingPages, pageDetails, type TiffLayout } from "./tiff-layout.js";
import { readTiffPages, type TiffPages } from "./tiff-pages.js";

export interface TiffOpenOptions {
  /**
   * Most bytes of decoded tiles/strips kept for neighbouring reads (default
   * `defaultTileCacheBytes`); how they are chosen: `block-cache.ts`. A sibling file of an
   * OME-TIFF set has its own cache.
   */
  tileCacheBytes?: number;
  /** Most pages (IFDs) read (default 1 000 000). */
  maxPages?: number;
  /** Deflate implementation (default geotiff's pako); Node's `openImageFile` passes `node:zlib`. */
  inflate?: Inflate;
  /** Opens files beside the input (multi-file OME-TIFF); Node's `openImageFile` passes one. */
  siblings?: OpenSibling;
  /** Most sibling files of an OME-TIFF set kept open at once (default 8). */
  maxOpenFiles?: number;
}

type PlaneRef = TiffLayout["scenes"][number]["planes"][number];

export class TiffImageSource implements ImageSource, RegionReaderInto {
  readonly info: ImageInfo;

  private constructor(
    private readonly name: string,
    private readonly own: OpenTiff | null,
    private readonly layout: TiffLayout,
    private readonly siblings: SiblingFiles | null,
    private readonly primary: BlockReader,
    private readonly companion: ByteSource | null = null,
  ) {
    const scene0 = layout.scenes[0]!;
    this.info = {
      format: layout.format,
      width: scene0.width,
      height: scene0.height,
      scenes: layout.scenes.map((s) => ({ width: s.width, height: s.height, ...(s.name !== undefined ? { name: s.name } : {}) })),
      sizes: { scene: layout.scenes.length, ...layout.sizes },
      samplesPerPixel: layout.samplesPerPixel,
      sampleOrder: layout.sampleOrder,
      sampleType: layout.sampleType,
      ...(layout.channelNames ? { channelNames: layout.channelNames } : {}),
      ...(layout.channelColors ? { channelColors: layout.channelColors } : {}),
      ...(layout.physicalSize ? { physicalSize: layout.physicalSize } : {}),
      ...(layout.significantBits !== undefined ? { significantBits: layout.significantBits } : {}),
      ...(layout.labelClasses ? { labelClasses: layout.labelClasses } : {}),
      details: layout.details,
    };
  }

  static async open(source: ByteSource, options: TiffOpenOptions = {}): Promise<TiffImageSource> {
    const pages = await readTiffPages(source, options.maxPages);
    const description = pages.ifds[0]?.description;
    if (isOmeXml(description)) return TiffImageSource.openOme(source, pages, parseOmeDocument(description!, source.name), options);
    const layout = buildTiffLayout(pages.ifds, pages.littleEndian, source.name);
    const own = withBlocks(pages, usedPages(layout, null, pages.ifds), layout.sampleType, options);
    return new TiffImageSource(source.name, own, layout, null, own.blocks);
  }

  /**
   * Open an OME-TIFF whose OME-XML is `doc`: `own` is the TIFF given (`null` for a companion
   * `.ome` metadata file, `source`); a `BinaryOnly` document is replaced by its metadata file.
   */
  static async openOme(source: ByteSource, own: TiffPages | null, doc: OmeDocument, options: TiffOpenOptions): Promise<TiffImageSource> {
    const name = source.name;
    const self = { name: baseName(name), ...(doc.uuid !== undefined ? { uuid: doc.uuid } : {}) };
    const siblings = options.siblings ? newSiblings(name, options.siblings, options) : null;
    try {
      if (doc.binaryOnly) {
        const { metadataFile, uuid } = doc.binaryOnly;
        checkSiblingName(metadataFile, `${name}: OME-XML`);
        if (!siblings) throw noSiblings(metadataFile, uuid, name);
        doc = parseOmeDocument(await siblings.readText(metadataFile, uuid), metadataFile);
      }
      const fileOf = (td: OmeTiffData): string | null => {
        const file = tiffDataFile(td, self, `${name}: OME-XML`);
        if (file !== null && !siblings) throw noSiblings(file, td.uuid, name);
        if (file !== null) siblings!.note(file, td.uuid);
        return file;
      };
      const td0 = doc.images[0]?.tiffData[0];
      const firstFile = td0 ? fileOf(td0) : null;
      const first = firstFile !== null ? await siblings!.acquire(firstFile) : null;
      if (firstFile !== null) siblings!.release(firstFile);
      const pagesOf = (file: string | null) => (file === null ? (own ?? undefined) : file === firstFile ? (first ?? undefined) : undefined);
      const details = { ...pageDetails((own ?? first!).ifds), bigTiff: (own ?? first!).bigTiff };
      const layout = buildOmeLayout({ images: doc.images, pagesOf, fileOf, fileName: name, details });
      if (doc.labelClasses) layout.labelClasses = doc.labelClasses;
      layout.details.byteOrder = (own ?? first!).littleEndian ? "little-endian" : "big-endian";
      const ownOpen = own ? withBlocks(own, usedPages(layout, null, own.ifds), layout.sampleType, options) : null;
      if (siblings) {
        await siblings.checkPresent();
        siblings.check = (file, tiff) => checkSiblingPages(tiff, layout.siblingPages?.get(file) ?? new Map(), layout.pageKind);
        if (firstFile !== null) {
          await siblings.acquire(firstFile); // checks the first sibling's pages now
          siblings.release(firstFile);
        }
      }
      const primary = ownOpen?.blocks ?? first!.blocks;
      return new TiffImageSource(name, ownOpen, layout, siblings, primary, own ? null : source);
    } catch (e) {
      await siblings?.close();
      throw e;
    }
  }

  /** The decoded-block cache (for diagnostics: bytes held, carry rows); of the first file holding planes. */
  get blockCache(): BlockCache {
    return this.primary.cache;
  }

  async readRegion(plane: PlaneIndex, rect: Rect): Promise<SampleArray> {
    return this.readRegionInto(plane, rect, null);
  }

  /** `readRegion` into `into` (`RegionReaderInto`); a new array when `into` is null. */
  async readRegionInto(plane: PlaneIndex, rect: Rect, into: SampleArray | null): Promise<SampleArray> {
    checkPlane(plane, this.info.sizes, this.name);
    const scene = this.layout.scenes[plane.scene]!;
    const { c: C, z: Z } = this.layout.sizes;
    checkRect(rect, scene.width, scene.height, this.name);
    const ref = scene.planes[(plane.t * C + plane.c) * Z + plane.z]!;
    const type = this.layout.sampleType;
    const outSpp = this.layout.samplesPerPixel;
    const length = rect.width * rect.height * outSpp;
    if (into && (into.length < length || into.constructor !== allocSamples(type, 0).constructor)) {
      throw invalidArgument(
        `readRegionInto: the buffer holds ${into.length} ${into.constructor.name} samples; ${length} ${type} samples are needed`,
        { where: this.name },
      );
    }
    const out = into ? (into.length === length ? into : into.subarray(0, length)) : allocSamples(type, length);
    if (rect.width === 0 || rect.height === 0) return out;
    if (ref.file === null) {
      await readPageRegion(this.own!, ref, rect, out, type, outSpp);
      return out;
    }
    const tiff = await this.siblings!.acquire(ref.file);
    try {
      await readPageRegion(tiff, ref, rect, out, type, outSpp);
    } finally {
      this.siblings!.release(ref.file);
    }
    return out;
  }

  async close(): Promise<void> {
    await this.own?.source.close();
    await this.companion?.close();
    await this.siblings?.close();
  }
}

/** Read `rect` of the page `ref` names in `tiff` into `out`. */
async function readPageRegion(
  tiff: OpenTiff,
  ref: PlaneRef,
  rect: Rect,
  out: SampleArray,
  type: SampleType,
  outSpp: number,
): Promise<void> {
  const ifd = tiff.ifds[ref.ifd]!;
  const bw = ifd.blockWidth;
  const bh = ifd.blockHeight;
  const across = Math.ceil(ifd.width / bw);
  const perPlane = across * Math.ceil(ifd.height / bh);
  const blockSpp = BlockReader.samplesInBlock(ifd);
  // Which block sets to read and where their samples go.
  const parts: { planeOffset: number; srcSample: number; dstSample: number; copyAll: boolean }[] = [];
  if (ref.sample === null) {
    if (ifd.planar === 1) parts.push({ planeOffset: 0, srcSample: 0, dstSample: 0, copyAll: true });
    else
      for (let s = 0; s < ifd.samplesPerPixel; s++) parts.push({ planeOffset: s * perPlane, srcSample: 0, dstSample: s, copyAll: false });
  } else if (ifd.planar === 1) {
    parts.push({ planeOffset: 0, srcSample: ref.sample, dstSample: 0, copyAll: false });
  } else {
    parts.push({ planeOffset: ref.sample * perPlane, srcSample: 0, dstSample: 0, copyAll: true });
  }

  // Blocks reaching into the rows the next row of tiles reads again are kept longer.
  const blocks = tiff.blocks;
  const rowBytes = across * bw * blockSpp * bytesPerSample(type) * parts.length;
  const carryFrom = blocks.beginRead(ifd, `${ref.ifd}:${ref.sample}`, rect.y, rect.y + rect.height, rowBytes);
  const jobs: Promise<void>[] = [];
  const bx0 = Math.floor(rect.x / bw);
  const bx1 = Math.floor((rect.x + rect.width - 1) / bw);
  const by0 = Math.floor(rect.y / bh);
  const by1 = Math.floor((rect.y + rect.height - 1) / bh);
  for (let by = by0; by <= by1; by++) {
    const blockTop = by * bh;
    const row0 = Math.max(rect.y, blockTop) - blockTop;
    const row1 = Math.min(rect.y + rect.height, blockTop + BlockReader.blockRows(ifd, by)) - blockTop;
    const keepFrom = carryFrom !== null && blockTop + BlockReader.blockRows(ifd, by) > carryFrom ? Math.max(0, carryFrom - blockTop) : null;
    for (let bx = bx0; bx <= bx1; bx++) {
      const blockLeft = bx * bw;
      const col0 = Math.max(rect.x, blockLeft) - blockLeft;
      const col1 = Math.min(rect.x + rect.width, blockLeft + bw, ifd.width) - blockLeft;
      for (const part of parts) {
        const index = part.planeOffset + by * across + bx;
        jobs.push(
          blocks.rows(ifd, type, index, row0, row1, keepFrom).then((data) => {
            for (let r = 0; r < row1 - row0; r++) {
              const src = (r * bw + col0) * blockSpp;
              const dst = ((blockTop + row0 + r - rect.y) * rect.width + (blockLeft + col0 - rect.x)) * outSpp;
              const n = col1 - col0;
              if (part.copyAll) {
                out.set(data.subarray(src, src + n * blockSpp), dst);
              } else {
                for (let i = 0, s = src + part.srcSample, d = dst + part.dstSample; i < n; i++, s += blockSpp, d += outSpp)
                  out[d] = data[s]!;
              }
            }
          }),
        );
      }
    }
  }
  await Promise.all(jobs);
}

/** The pages of `file` (null: the file read) that the layout uses; every page when none is. */
function usedPages(layout: TiffLayout, file: string | null, ifds: IfdInfo[]): IfdInfo[] {
  const used = new Set(layout.scenes.flatMap((s) => s.planes.filter((p) => p.file === file).map((p) => p.ifd)));
  return used.size > 0 ? [...used].map((i) => ifds[i]!) : ifds;
}

/** `pages` with a block reader sized for the pages used (blocks checked to lie inside the file). */
function withBlocks(pages: TiffPages, used: IfdInfo[], sampleType: SampleType, options: TiffOpenOptions): OpenTiff {
  for (const ifd of used) checkBlocksInside(ifd, pages.source.size, pages.source.name);
  const cacheBytes = options.tileCacheBytes ?? defaultTileCacheBytes(used, sampleType);
  const floor = Math.min(cacheBytes, recentFloorBytes(used, sampleType));
  return { ...pages, blocks: new BlockReader(pages.source, pages.littleEndian, cacheBytes, options.inflate, floor) };
}

/** Sample type of a file's first page (uint8 when unreadable: the page check refuses it later). */
function pageSampleType(pages: TiffPages): SampleType {
  try {
    return sampleTypeOf(pages.ifds[0]!, pages.source.name);
  } catch {
    return "uint8";
  }
}

function newSiblings(name: string, open: OpenSibling, options: TiffOpenOptions): SiblingFiles {
  return new SiblingFiles(name, open, {
    maxOpen: Math.max(1, options.maxOpenFiles ?? 8),
    ...(options.maxPages !== undefined ? { maxPages: options.maxPages } : {}),
    blocks: (pages) => {
      const sampleType = pageSampleType(pages);
      const cacheBytes = options.tileCacheBytes ?? defaultTileCacheBytes(pages.ifds, sampleType);
      return new BlockReader(
        pages.source,
        pages.littleEndian,
        cacheBytes,
        options.inflate,
        Math.min(cacheBytes, recentFloorBytes(pages.ifds, sampleType)),
      );
    },
  });
}

const MIB = 1024 * 1024;

/** Bytes of one row of blocks across a page (all samples of a block). */
function blockRowBytes(ifd: IfdInfo, sampleType: SampleType): number {
  return Math.ceil(ifd.width / ifd.blockWidth) * BlockReader.blockBytes(ifd, sampleType);
}

/**
 * Default cap on the decoded-block cache: 64 MiB plus two rows of blocks of the widest page,
 * at most 512 MiB. What the engine's raster of tiles actually holds is set by the policy of
 * `block-cache.ts` (the blocks of about two tile reads, plus one band of `carryRows +
 * blockHeight` rows across the width — about one block row; 16 MiB more of rows before the
 * overlap of tile rows is known); the cap leaves room for that and bounds other access
 * patterns. (The plain LRU cache before needed ~3 block rows held for a tiled scan to decode
 * each block once: 4 block rows were reserved, 128 MiB at 32768² uint16 with 512² blocks.)
 */
export function defaultTileCacheBytes(pages: IfdInfo[], sampleType: SampleType): number {
  let row = 0;
  for (const ifd of pages) row = Math.max(row, blockRowBytes(ifd, sampleType));
  return Math.min(512 * MIB, 64 * MIB + 2 * row);
}

/**
 * Bytes of most recently used blocks the cache keeps whatever their age (`BlockCache`): 16
 * blocks of the largest page's size, at most 16 MiB — enough for reads that are not a raster.
 */
export function recentFloorBytes(pages: IfdInfo[], sampleType: SampleType): number {
  let block = 0;
  for (const ifd of pages) block = Math.max(block, BlockReader.blockBytes(ifd, sampleType));
  return Math.min(16 * MIB, 16 * block);
}

/** Open a TIFF / BigTIFF / OME-TIFF as an `ImageSource`. */
export function openTiff(source: ByteSource, options?: TiffOpenOptions): Promise<TiffImageSource> {
  return TiffImageSource.open(source, options);
}

/**
 * Open a companion `.ome` metadata file (OME-XML whose TiffData name the TIFF files of the set
 * beside it); needs `options.siblings`.
 */
export async function openOmeCompanion(source: ByteSource, options: TiffOpenOptions = {}): Promise<TiffImageSource> {
  const text = await readMetadataText(source);
  return TiffImageSource.openOme(source, null, parseOmeDocument(text, source.name), options);
}
