/**
 * `ImageSink` that writes a tiled BigTIFF OME-TIFF, streaming: bands (`writeBand`) and
 * rectangles (`writeTile`) are collected into TIFF tiles (`ChunkGrid`); each tile is
 * compressed (deflate by default, compressor injectable) and appended to the target as soon as
 * it is complete; the IFDs and the OME-XML are written at the end and the header is patched
 * last, then the target is committed (temp file renamed). Memory: the incomplete tiles — for
 * a writer going tile row by tile row about one row of tiles, which `autoChunkSize` keeps
 * under 32 MiB by choosing smaller tiles for very wide multi-sample outputs.
 *
 * File layout (see `bigtiff-writer.ts`, `ome-xml-write.ts`): one IFD per 2-D plane of one
 * sample, planar. Scenes follow each other; inside a scene the IFDs are in OME order XYZCT
 * (Z fastest, then C, then T), where C runs over input channel × output sample (c·K + k).
 * The class names/colours and unclassified value go into OME MapAnnotations.
 *
 * With `pyramid` each page gets reduced-resolution pages (SubIFDs, `bigtiff-writer.ts`): 2×
 * levels down to at most 1024 px per side (`pyramid.ts`: labels keep the top-left pixel of each
 * 2×2 block, everything else is averaged), tiled and compressed as the full resolution. Each
 * level's tiles are made from the level above's as soon as those are complete and appended like
 * them, so the pyramid costs no second pass and only a row of tiles per level; the OME-XML
 * describes the full-resolution pages only. Isomorphic: writes through a `ByteTarget`.
 */
import { invalidArgument, internalError, unsupported } from "../../errors.js";
import { autoChunkSize, chunkSample, ChunkGrid, sampleBytes, type Chunk } from "../chunk-grid.js";
import { outputChannelColors, outputChannelNames } from "../output-channel-names.js";
import type { ByteTarget } from "../byte-target.js";
import { fflateZlibCompressor, type Compressor } from "../compress.js";
import { bytesPerSample, type ImageSink, type OutputImageInfo, type PlaneIndex, type Rect, type SampleArray } from "../types.js";
import {
  encodeBigTiffHeader,
  encodeIfd,
  ifdByteSize,
  TIFF_COMPRESSION_DEFLATE,
  TIFF_COMPRESSION_NONE,
  type TiffPage,
} from "./bigtiff-writer.js";
import { buildOmeXml, outputAnnotations, type OmeChannelSpec, type OmeImageSpec } from "./ome-xml-write.js";
import type { ReleasesBands } from "../reuse.js";
import { halfOfChunk, pyramidLevelsFor, type PyramidOption } from "../pyramid.js";

export interface OmeTiffSinkOptions {
  /** Tile width and height in pixels, a multiple of 16 (default 512, less for very wide multi-sample outputs: `autoChunkSize`). */
  tileSize?: number;
  /**
   * `deflate` (default), `none`, or `auto`: deflate for integer samples (labels), none for
   * float32 (probabilities, regression), where deflate saves under 20 % of the size at about
   * three times the cost of the whole prediction (`FLOAT_OUTPUTS_UNCOMPRESSED`).
   */
  compression?: "deflate" | "none" | "auto";
  /** Deflate implementation (zlib stream); default fflate, Node passes `node:zlib`. */
  compressor?: Compressor;
  /** `Name` of the OME Image(s). */
  imageName?: string;
  /** OME `Creator` and TIFF `Software`. */
  creator?: string;
  /** Reduced-resolution SubIFDs: true, false (default), or `auto` = for outputs over 4096 px per side (`pyramid.ts`). */
  pyramid?: PyramidOption;
}

const PIXEL_TYPES = {
  uint8: { ome: "uint8", bits: 8, format: 1 },
  uint16: { ome: "uint16", bits: 16, format: 1 },
  uint32: { ome: "uint32", bits: 32, format: 1 },
  float32: { ome: "float", bits: 32, format: 3 },
} as const;

interface PageState {
  offsets: Float64Array;
  byteCounts: Float64Array;
}

/** One resolution level: its size, tile grid and the tiles of each page. */
interface Level {
  width: number;
  height: number;
  grid: ChunkGrid;
  pages: PageState[];
}

export class OmeTiffSink implements ImageSink, ReleasesBands {
  /** Bands are copied or encoded before `writeBand` resolves (`ReleasesBands`). */
  readonly releasesBands = true as const;
  private tileSize: number;
  private compressor: Compressor | undefined;
  private info: OutputImageInfo | undefined;
  private grid: ChunkGrid | undefined;
  /** Index 0 = full resolution (its grid is `grid`), then the pyramid's levels. */
  private levels: Level[] = [];
  private position = 0;
  private done = false;
  /** Reusable one-sample tiles for splitting multi-sample tiles into pages. */
  private readonly sampleBuffers: SampleArray[] = [];

  constructor(
    private readonly target: ByteTarget,
    private readonly options: OmeTiffSinkOptions = {},
  ) {
    const tile = options.tileSize;
    if (tile !== undefined && (!Number.isInteger(tile) || tile < 16 || tile % 16 !== 0)) {
      throw invalidArgument(`tile size ${tile} is not allowed`, { where: "tileSize", allowed: "a multiple of 16, at least 16" });
    }
    this.tileSize = tile ?? 0;
    this.compressor = options.compression === "none" ? undefined : (options.compressor ?? fflateZlibCompressor(6));
  }

  async begin(info: OutputImageInfo): Promise<void> {
    if (this.info) throw internalError("OmeTiffSink.begin() called twice");
    if (!(info.sampleType in PIXEL_TYPES)) {
      throw unsupported(`OME-TIFF output cannot hold ${info.sampleType} samples`, {
        where: this.target.name,
        allowed: "uint8, uint16, uint32, float32",
      });
    }
    for (const [k, v] of Object.entries({ width: info.width, height: info.height, samplesPerPixel: info.samplesPerPixel, ...info.sizes })) {
      if (!Number.isInteger(v) || v < 1)
        throw invalidArgument(`output ${k} is ${v}`, { where: this.target.name, allowed: "an integer >= 1" });
    }
    this.info = info;
    if (this.options.compression === "auto" && info.sampleType === "float32") this.compressor = undefined;
    this.tileSize ||= autoChunkSize(info.width, info.samplesPerPixel * bytesPerSample(info.sampleType));
    this.levels = this.planLevels();
    this.grid = this.levels[0]!.grid;
    await this.target.write(0, encodeBigTiffHeader(0));
    this.position = 16;
  }

  async writeBand(plane: PlaneIndex, y: number, rows: number, data: SampleArray): Promise<void> {
    if (!this.grid || !this.info) throw internalError("OmeTiffSink.writeBand() before begin()");
    await this.grid.write(plane, { x: 0, y, width: this.info.width, height: rows }, data);
  }

  async writeTile(plane: PlaneIndex, rect: Rect, data: SampleArray): Promise<void> {
    if (!this.grid) throw internalError("OmeTiffSink.writeTile() before begin()");
    await this.grid.write(plane, rect, data);
  }

  /** The full resolution and the pyramid's levels (each half the one above, rounded up), each with its tile grid. */
  private planLevels(): Level[] {
    const info = this.info!;
    const count = pyramidLevelsFor(this.options.pyramid ?? false, info.width, info.height);
    const levels: Level[] = [];
    let width = info.width;
    let height = info.height;
    for (let l = 0; l < count; l++) {
      const grid = new ChunkGrid({ ...info, width, height, chunkWidth: this.tileSize, chunkHeight: this.tileSize }, (chunks) =>
        this.writeTiles(chunks, l),
      );
      const tiles = grid.across * grid.down;
      const pages = Array.from({ length: this.pageCount() }, () => ({
        offsets: new Float64Array(tiles),
        byteCounts: new Float64Array(tiles),
      }));
      levels.push({ width, height, grid, pages });
      width = Math.ceil(width / 2);
      height = Math.ceil(height / 2);
    }
    return levels;
  }

  /** Full-resolution pages (IFDs): one per plane and sample. */
  private pageCount(): number {
    const { sizes, samplesPerPixel } = this.info!;
    return sizes.scene * sizes.t * sizes.c * sizes.z * samplesPerPixel;
  }

  /** Page (IFD) index of sample `k` of `plane`: scenes one after another, XYZCT inside. */
  private pageIndex(plane: PlaneIndex, k: number): number {
    const { sizes, samplesPerPixel: K } = this.info!;
    const perScene = sizes.t * sizes.c * K * sizes.z;
    const c = plane.c * K + k;
    return plane.scene * perScene + plane.z + sizes.z * (c + sizes.c * K * plane.t);
  }

  /** Compress complete tiles of level `level` (one per page for multi-sample tiles), append them in one write, and feed the next level. */
  private async writeTiles(chunks: Chunk[], level: number): Promise<void> {
    await this.appendTiles(chunks, this.levels[level]!);
    const next = this.levels[level + 1];
    if (!next) return;
    const size = this.tileSize;
    for (const c of chunks) {
      const { rect, data } = halfOfChunk(c, size, size, this.levels[level]!, this.info!);
      await next.grid.write(c.plane, rect, data);
    }
  }

  /** Compress `chunks` of `level` and append them in one write, recording where each tile went. */
  private async appendTiles(chunks: Chunk[], level: Level): Promise<void> {
    const K = this.info!.samplesPerPixel;
    const across = level.grid.across;
    const jobs: { page: number; tile: number; promise: Promise<Uint8Array> }[] = [];
    let slot = 0;
    for (const chunk of chunks) {
      for (let k = 0; k < K; k++, slot++) {
        // Split samples are compressed (copied) before this call ends, so their buffers are reused.
        let tile = chunk.data;
        if (K > 1) tile = this.sampleBuffers[slot] = chunkSample(chunk.data, K, k, this.sampleBuffers[slot]);
        const raw = sampleBytes(tile);
        jobs.push({
          page: this.pageIndex(chunk.plane, k),
          tile: chunk.cy * across + chunk.cx,
          promise: this.compressor ? this.compressor(raw) : Promise.resolve(raw),
        });
      }
    }
    const encoded = await Promise.all(jobs.map((j) => j.promise));
    const total = encoded.reduce((n, b) => n + b.byteLength, 0);
    // Claim the file range before awaiting the write, so writes never share a range.
    const start = this.position;
    this.position += total;
    // One piece is written as it is (the target is done with it when its write resolves).
    const joined = encoded.length === 1 ? encoded[0]! : new Uint8Array(total);
    let at = 0;
    encoded.forEach((bytes, i) => {
      const job = jobs[i]!;
      const page = level.pages[job.page]!;
      page.offsets[job.tile] = start + at;
      page.byteCounts[job.tile] = bytes.byteLength;
      if (joined !== bytes) joined.set(bytes, at);
      at += bytes.byteLength;
    });
    await this.target.write(start, joined);
  }

  private omeXml(): string {
    const info = this.info!;
    const K = info.samplesPerPixel;
    const colors = outputChannelColors(info);
    const channels: OmeChannelSpec[] = outputChannelNames(info).map((name, i) => {
      const color = colors[i];
      return color ? { name, color } : { name };
    });
    const perScene = info.sizes.t * info.sizes.c * K * info.sizes.z;
    const images: OmeImageSpec[] = [];
    for (let s = 0; s < info.sizes.scene; s++) {
      const base = this.options.imageName ?? "prediction";
      images.push({
        name: info.sizes.scene > 1 ? `${base} scene ${s}` : base,
        width: info.width,
        height: info.height,
        sizeZ: info.sizes.z,
        sizeC: info.sizes.c * K,
        sizeT: info.sizes.t,
        pixelType: PIXEL_TYPES[info.sampleType].ome,
        ...(info.physicalSize ? { physicalSize: info.physicalSize } : {}),
        channels,
        firstIfd: s * perScene,
      });
    }
    const uuid = typeof crypto !== "undefined" && "randomUUID" in crypto ? `urn:uuid:${crypto.randomUUID()}` : undefined;
    return buildOmeXml(images, outputAnnotations(info), {
      creator: this.options.creator ?? "czmodel",
      ...(uuid ? { uuid } : {}),
      ...(info.tModulo ? { tModulo: info.tModulo } : {}),
    });
  }

  async finish(): Promise<void> {
    const info = this.info;
    if (!info || !this.grid) throw internalError("OmeTiffSink.finish() before begin()");
    if (this.done) throw internalError("OmeTiffSink.finish() called twice");
    if (!this.grid.complete)
      throw internalError(`OmeTiffSink.finish() before all pixels were written: missing ${this.grid.describeProgress()}`);
    const short = this.levels.findIndex((l) => !l.grid.complete);
    if (short >= 0)
      throw internalError(`OmeTiffSink.finish(): pyramid level ${short} is missing ${this.levels[short]!.grid.describeProgress()}`);
    const first = await this.writeIfds();
    await this.target.write(0, encodeBigTiffHeader(first));
    await this.target.commit();
    this.done = true;
  }

  /**
   * Write every IFD after the tile data: each full-resolution page's IFD (chained in page
   * order, the first one with the OME-XML) followed by its reduced-resolution IFDs (SubIFDs,
   * not chained). Returns the first IFD's offset.
   */
  private async writeIfds(): Promise<number> {
    const info = this.info!;
    const type = PIXEL_TYPES[info.sampleType];
    const description = this.omeXml();
    const pageOf = (level: Level, p: PageState, reduced: boolean): TiffPage => ({
      width: level.width,
      height: level.height,
      tileWidth: this.tileSize,
      tileHeight: this.tileSize,
      bitsPerSample: type.bits,
      sampleFormat: type.format,
      compression: this.compressor ? TIFF_COMPRESSION_DEFLATE : TIFF_COMPRESSION_NONE,
      tileOffsets: p.offsets,
      tileByteCounts: p.byteCounts,
      ...(reduced ? { reduced } : {}),
    });
    const [base, ...reducedLevels] = this.levels;
    const count = base!.pages.length;
    // Per page: the full-resolution page, then its reduced ones; sizes first, so every offset is known before encoding.
    const groups = base!.pages.map((p, i) => {
      const subs = reducedLevels.map((l) => pageOf(l, l.pages[i]!, true));
      const main: TiffPage = {
        ...pageOf(base!, p, false),
        ...(i === 0 ? { description, software: this.options.creator ?? "czmodel" } : {}),
        ...(subs.length ? { subIfds: new Array<number>(subs.length).fill(0) } : {}),
      };
      return [main, ...subs];
    });
    const first = Math.ceil(this.position / 8) * 8;
    const offsets: number[][] = [];
    let offset = first;
    for (const group of groups)
      offsets.push(
        group.map((page) => {
          const at = offset;
          offset += ifdByteSize(page);
          return at;
        }),
      );
    for (let i = 0; i < count; i++) {
      const [main, ...subs] = groups[i]!;
      const [mainAt, ...subAt] = offsets[i]!;
      if (subs.length) main!.subIfds = subAt;
      await this.target.write(mainAt!, encodeIfd(main!, mainAt!, i + 1 < count ? offsets[i + 1]![0]! : 0));
      for (let s = 0; s < subs.length; s++) await this.target.write(subAt[s]!, encodeIfd(subs[s]!, subAt[s]!, 0));
    }
    return first;
  }

  async abort(): Promise<void> {
    await this.target.abort();
  }
}
