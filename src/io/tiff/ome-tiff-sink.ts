/**
 * `ImageSink` that writes a tiled BigTIFF OME-TIFF, streaming: each tile row is cut into
 * tiles, compressed (deflate by default, compressor injectable) and appended to the target as
 * soon as the row is complete; the IFDs and the OME-XML are written at the end and the header
 * is patched last, then the target is committed (temp file renamed). Memory: one tile row of
 * one plane plus its compressed tiles.
 *
 * File layout (see `bigtiff-writer.ts`, `ome-xml-write.ts`): one IFD per 2-D plane of one
 * sample, planar. Scenes follow each other; inside a scene the IFDs are in OME order XYZCT
 * (Z fastest, then C, then T), where C runs over input channel × output sample (c·K + k).
 * The class names/colours and unclassified value go into OME MapAnnotations.
 * Isomorphic: writes through a `ByteTarget`.
 */
import { invalidArgument, internalError, unsupported } from "../../errors.js";
import { BandTiler, cutTile, sampleBytes, type TileRow } from "../band-tiler.js";
import { outputChannelNames } from "../output-channel-names.js";
import type { ByteTarget } from "../byte-target.js";
import { fflateZlibCompressor, type Compressor } from "../compress.js";
import type { ImageSink, OutputImageInfo, PlaneIndex, SampleArray } from "../types.js";
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

export interface OmeTiffSinkOptions {
  /** Tile width and height in pixels, a multiple of 16 (default 512). */
  tileSize?: number;
  /** `deflate` (default) or `none`. */
  compression?: "deflate" | "none";
  /** Deflate implementation (zlib stream); default fflate, Node passes `node:zlib`. */
  compressor?: Compressor;
  /** `Name` of the OME Image(s). */
  imageName?: string;
  /** OME `Creator` and TIFF `Software`. */
  creator?: string;
}

const PIXEL_TYPES = {
  uint8: { ome: "uint8", bits: 8, format: 1 },
  uint16: { ome: "uint16", bits: 16, format: 1 },
  float32: { ome: "float", bits: 32, format: 3 },
} as const;

interface PageState {
  offsets: Float64Array;
  byteCounts: Float64Array;
}

export class OmeTiffSink implements ImageSink, ReleasesBands {
  /** Bands are copied or encoded before `writeBand` resolves (`ReleasesBands`). */
  readonly releasesBands = true as const;
  private readonly tileSize: number;
  private readonly compressor: Compressor | undefined;
  private info: OutputImageInfo | undefined;
  private tiler: BandTiler | undefined;
  private pages: PageState[] = [];
  private tilesAcross = 0;
  private tilesDown = 0;
  private position = 0;
  private done = false;
  /** One reusable raw tile per tile of a tile row. */
  private readonly tileBuffers: SampleArray[] = [];

  constructor(
    private readonly target: ByteTarget,
    private readonly options: OmeTiffSinkOptions = {},
  ) {
    const tile = options.tileSize ?? 512;
    if (!Number.isInteger(tile) || tile < 16 || tile % 16 !== 0) {
      throw invalidArgument(`tile size ${tile} is not allowed`, { where: "--tile-size", allowed: "a multiple of 16, at least 16" });
    }
    this.tileSize = tile;
    this.compressor = options.compression === "none" ? undefined : (options.compressor ?? fflateZlibCompressor(6));
  }

  async begin(info: OutputImageInfo): Promise<void> {
    if (this.info) throw internalError("OmeTiffSink.begin() called twice");
    if (!(info.sampleType in PIXEL_TYPES)) {
      throw unsupported(`OME-TIFF output cannot hold ${info.sampleType} samples`, { where: this.target.name, allowed: "uint8, uint16, float32" });
    }
    for (const [k, v] of Object.entries({ width: info.width, height: info.height, samplesPerPixel: info.samplesPerPixel, ...info.sizes })) {
      if (!Number.isInteger(v) || v < 1) throw invalidArgument(`output ${k} is ${v}`, { where: this.target.name, allowed: "an integer >= 1" });
    }
    this.info = info;
    this.tilesAcross = Math.ceil(info.width / this.tileSize);
    this.tilesDown = Math.ceil(info.height / this.tileSize);
    const pageCount = info.sizes.scene * info.sizes.t * info.sizes.c * info.sizes.z * info.samplesPerPixel;
    const tiles = this.tilesAcross * this.tilesDown;
    this.pages = Array.from({ length: pageCount }, () => ({ offsets: new Float64Array(tiles), byteCounts: new Float64Array(tiles) }));
    this.tiler = new BandTiler(info, this.tileSize, (row) => this.writeTileRow(row));
    await this.target.write(0, encodeBigTiffHeader(0));
    this.position = 16;
  }

  async writeBand(plane: PlaneIndex, y: number, rows: number, data: SampleArray): Promise<void> {
    if (!this.tiler) throw internalError("OmeTiffSink.writeBand() before begin()");
    await this.tiler.writeBand(plane, y, rows, data);
  }

  /** Page (IFD) index of sample `k` of `plane`: scenes one after another, XYZCT inside. */
  private pageIndex(plane: PlaneIndex, k: number): number {
    const { sizes, samplesPerPixel: K } = this.info!;
    const perScene = sizes.t * sizes.c * K * sizes.z;
    const c = plane.c * K + k;
    return plane.scene * perScene + plane.z + sizes.z * (c + sizes.c * K * plane.t);
  }

  private async writeTileRow(row: TileRow): Promise<void> {
    const info = this.info!;
    const K = info.samplesPerPixel;
    const jobs: { page: number; tile: number; promise: Promise<Uint8Array> }[] = [];
    let slot = 0;
    for (let k = 0; k < K; k++) {
      const page = this.pageIndex(row.plane, k);
      for (let tx = 0; tx < this.tilesAcross; tx++, slot++) {
        // Tiles are compressed (copied) before this row's writes end, so their buffers are reused row after row.
        const tile = cutTile(row, info.width, K, info.sampleType, tx, this.tileSize, this.tileSize, K === 1 ? null : k, this.tileBuffers[slot]);
        this.tileBuffers[slot] = tile;
        const raw = sampleBytes(tile);
        jobs.push({ page, tile: row.tileRow * this.tilesAcross + tx, promise: this.compressor ? this.compressor(raw) : Promise.resolve(raw) });
      }
    }
    const encoded = await Promise.all(jobs.map((j) => j.promise));
    const total = encoded.reduce((n, b) => n + b.byteLength, 0);
    const joined = new Uint8Array(total);
    let at = 0;
    encoded.forEach((bytes, i) => {
      const job = jobs[i]!;
      const page = this.pages[job.page]!;
      page.offsets[job.tile] = this.position + at;
      page.byteCounts[job.tile] = bytes.byteLength;
      joined.set(bytes, at);
      at += bytes.byteLength;
    });
    await this.target.write(this.position, joined);
    this.position += total;
  }

  private omeXml(): string {
    const info = this.info!;
    const K = info.samplesPerPixel;
    const names = outputChannelNames(info);
    const channels: OmeChannelSpec[] = names.map((name, i) => {
      const cls = info.kind === "probabilities" && info.classes?.length === K ? info.classes[i % K] : undefined;
      return cls ? { name, color: cls.color } : { name };
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
    return buildOmeXml(images, outputAnnotations(info), { creator: this.options.creator ?? "czmodel", ...(uuid ? { uuid } : {}) });
  }

  async finish(): Promise<void> {
    const info = this.info;
    if (!info || !this.tiler) throw internalError("OmeTiffSink.finish() before begin()");
    if (this.done) throw internalError("OmeTiffSink.finish() called twice");
    if (!this.tiler.complete) throw internalError(`OmeTiffSink.finish() before all bands were written: missing ${this.tiler.describeProgress()}`);
    const type = PIXEL_TYPES[info.sampleType];
    const description = this.omeXml();
    const pages: TiffPage[] = this.pages.map((p, i) => ({
      width: info.width,
      height: info.height,
      tileWidth: this.tileSize,
      tileHeight: this.tileSize,
      bitsPerSample: type.bits,
      sampleFormat: type.format,
      compression: this.compressor ? TIFF_COMPRESSION_DEFLATE : TIFF_COMPRESSION_NONE,
      tileOffsets: p.offsets,
      tileByteCounts: p.byteCounts,
      ...(i === 0 ? { description, software: this.options.creator ?? "czmodel" } : {}),
    }));
    let offset = Math.ceil(this.position / 8) * 8;
    const first = offset;
    for (let i = 0; i < pages.length; i++) {
      const size = ifdByteSize(pages[i]!);
      const next = i + 1 < pages.length ? offset + size : 0;
      await this.target.write(offset, encodeIfd(pages[i]!, offset, next));
      offset += size;
    }
    await this.target.write(0, encodeBigTiffHeader(first));
    await this.target.commit();
    this.done = true;
  }

  async abort(): Promise<void> {
    await this.target.abort();
  }
}
