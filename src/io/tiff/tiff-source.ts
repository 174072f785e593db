/**
 * `ImageSource` for TIFF, BigTIFF, OME-TIFF and ImageJ TIFF, reading lazily through a
 * `ByteSource`: geotiff 3 parses the IFDs (in its eager mode, which loads tag arrays through
 * the parser's own byte order — geotiff's lazy arrays assume little-endian), `tiff-layout.ts`
 * maps planes to pages, and `block-reader.ts` decodes only the tiles/strips a region touches.
 * Isomorphic.
 */
import { GeoTIFF } from "geotiff";
import { invalidArgument, invalidImage, isCzmodelError, unsupported } from "../../errors.js";
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
import { ByteSourceAdapter } from "./geotiff-adapter.js";
import { checkBlocksInside, readIfdInfo, type IfdInfo } from "./ifd.js";
import { buildTiffLayout, type TiffLayout } from "./tiff-layout.js";

export interface TiffOpenOptions {
  /**
   * Most bytes of decoded tiles/strips kept for neighbouring reads (default
   * `defaultTileCacheBytes`); how they are chosen: `block-cache.ts`.
   */
  tileCacheBytes?: number;
  /** Most pages (IFDs) read (default 1 000 000). */
  maxPages?: number;
  /** Deflate implementation (default geotiff's pako); Node's `openImageFile` passes `node:zlib`. */
  inflate?: Inflate;
}

export class TiffImageSource implements ImageSource, RegionReaderInto {
  readonly info: ImageInfo;

  private constructor(
    private readonly source: ByteSource,
    private readonly ifds: IfdInfo[],
    private readonly layout: TiffLayout,
    private readonly blocks: BlockReader,
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
      ...(layout.physicalSize ? { physicalSize: layout.physicalSize } : {}),
      ...(layout.significantBits !== undefined ? { significantBits: layout.significantBits } : {}),
      details: layout.details,
    };
  }

  static async open(source: ByteSource, options: TiffOpenOptions = {}): Promise<TiffImageSource> {
    const name = source.name;
    let tiff: GeoTIFF;
    const ifds: IfdInfo[] = [];
    const adapter = new ByteSourceAdapter(source);
    try {
      tiff = await GeoTIFF.fromSource(adapter as never);
      (tiff.parser as unknown as { eager: boolean }).eager = true;
      const maxPages = options.maxPages ?? 1_000_000;
      const seen = new Set<number>();
      for (let i = 0; ; i++) {
        if (i >= maxPages) throw unsupported(`unsupported TIFF with more than ${maxPages} pages`, { where: name });
        const fd = await tiff.requestIFD(i);
        ifds.push(readIfdInfo(i, fd, name));
        const next = Number(fd.nextIFDByteOffset);
        if (next === 0) break;
        if (seen.has(next)) throw invalidImage(`IFD chain loops back to offset ${next}`, { where: name });
        seen.add(next);
      }
    } catch (e) {
      if (isCzmodelError(e)) throw e;
      if (e instanceof RangeError && adapter.clipped) {
        throw invalidImage(`file is truncated: the TIFF directory runs past the end of the file (${source.size} bytes)`, {
          where: name,
          cause: e,
        });
      }
      const why = e instanceof Error ? e.message : String(e);
      throw invalidImage(`not a readable TIFF (${why}); the file may be truncated or corrupt`, { where: name, cause: e });
    }
    const layout = buildTiffLayout(ifds, tiff.littleEndian, name);
    const used = new Set(layout.scenes.flatMap((s) => s.planes.map((p) => p.ifd)));
    for (const i of used) checkBlocksInside(ifds[i]!, source.size, name);
    layout.details.bigTiff = tiff.bigTiff;
    layout.details.byteOrder = tiff.littleEndian ? "little-endian" : "big-endian";
    const pages = used.size > 0 ? [...used].map((i) => ifds[i]!) : ifds;
    const cacheBytes = options.tileCacheBytes ?? defaultTileCacheBytes(pages, layout.sampleType);
    const floor = Math.min(cacheBytes, recentFloorBytes(pages, layout.sampleType));
    return new TiffImageSource(source, ifds, layout, new BlockReader(source, tiff.littleEndian, cacheBytes, options.inflate, floor));
  }

  /** The decoded-block cache (for diagnostics: bytes held, carry rows). */
  get blockCache(): BlockCache {
    return this.blocks.cache;
  }

  async readRegion(plane: PlaneIndex, rect: Rect): Promise<SampleArray> {
    return this.readRegionInto(plane, rect, null);
  }

  /** `readRegion` into `into` (`RegionReaderInto`); a new array when `into` is null. */
  async readRegionInto(plane: PlaneIndex, rect: Rect, into: SampleArray | null): Promise<SampleArray> {
    checkPlane(plane, this.info.sizes, this.source.name);
    const scene = this.layout.scenes[plane.scene]!;
    const { c: C, z: Z } = this.layout.sizes;
    checkRect(rect, scene.width, scene.height, this.source.name);
    const ref = scene.planes[(plane.t * C + plane.c) * Z + plane.z]!;
    const ifd = this.ifds[ref.ifd]!;
    const type = this.layout.sampleType;
    const outSpp = this.layout.samplesPerPixel;
    const length = rect.width * rect.height * outSpp;
    if (into && (into.length < length || into.constructor !== allocSamples(type, 0).constructor)) {
      throw invalidArgument(
        `readRegionInto: the buffer holds ${into.length} ${into.constructor.name} samples; ${length} ${type} samples are needed`,
        { where: this.source.name },
      );
    }
    const out = into ? (into.length === length ? into : into.subarray(0, length)) : allocSamples(type, length);
    if (rect.width === 0 || rect.height === 0) return out;

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
    const rowBytes = across * bw * blockSpp * bytesPerSample(type) * parts.length;
    const carryFrom = this.blocks.beginRead(ifd, `${ref.ifd}:${ref.sample}`, rect.y, rect.y + rect.height, rowBytes);
    const jobs: Promise<void>[] = [];
    const bx0 = Math.floor(rect.x / bw);
    const bx1 = Math.floor((rect.x + rect.width - 1) / bw);
    const by0 = Math.floor(rect.y / bh);
    const by1 = Math.floor((rect.y + rect.height - 1) / bh);
    for (let by = by0; by <= by1; by++) {
      const blockTop = by * bh;
      const row0 = Math.max(rect.y, blockTop) - blockTop;
      const row1 = Math.min(rect.y + rect.height, blockTop + BlockReader.blockRows(ifd, by)) - blockTop;
      const keepFrom =
        carryFrom !== null && blockTop + BlockReader.blockRows(ifd, by) > carryFrom ? Math.max(0, carryFrom - blockTop) : null;
      for (let bx = bx0; bx <= bx1; bx++) {
        const blockLeft = bx * bw;
        const col0 = Math.max(rect.x, blockLeft) - blockLeft;
        const col1 = Math.min(rect.x + rect.width, blockLeft + bw, ifd.width) - blockLeft;
        for (const part of parts) {
          const index = part.planeOffset + by * across + bx;
          jobs.push(
            this.blocks.rows(ifd, type, index, row0, row1, keepFrom).then((data) => {
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
    return out;
  }

  async close(): Promise<void> {
    await this.source.close();
  }
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
