/**
 * `ImageSink` that writes OME-Zarr as Zarr v2 + NGFF 0.4, the layout Python's zarr 2 (and
 * ome-zarr-py, napari, Fiji's N5 plugin) read. zarrita writes only Zarr v3, so the few JSON
 * files and the chunk files are written here.
 *
 * Layout (one scene): `.zgroup`, `.zattrs` (`multiscales` with axes t, c, z, y, x and a
 * scale transform in micrometres; `omero` channel labels; for label images NGFF
 * `image-label` colours and class properties; `czmodel` with kind, classes, unclassified
 * value and provenance; `moduloAlongT` when T holds an extra CZI dimension such as H: NGFF 0.4
 * allows no other axis, see docs/czi.md), `0/.zarray` (shape [T, C·K, Z, H, W], chunks [1, 1, 1, 512, 512],
 * `dimension_separator` "/", compressor zlib or none) and chunks `0/t/c/z/y/x`. Output samples
 * (K) are stored as channels, c' = c·K + k. Several scenes use the `bioformats2raw.layout`
 * convention: root attributes `{"bioformats2raw.layout": 3}` and one image group per scene
 * (`0/`, `1/` …). Bands (`writeBand`) and rectangles (`writeTile`) are collected into chunks
 * (`ChunkGrid`); each chunk is encoded and written as soon as it is complete; edge chunks are
 * padded to full size, as Zarr v2 requires. Memory: the incomplete chunks (see
 * `ome-tiff-sink.ts`; the default chunk size comes from `autoChunkSize` the same way).
 *
 * With `pyramid` the image group holds a multiscale pyramid: datasets `0`, `1`, … each
 * half the size of the one before (`pyramid.ts`: labels keep the top-left pixel of each 2×2
 * block, everything else is averaged), each level's chunks made from the level above's as soon as
 * those are complete, so the pyramid costs no second pass and only a row of chunks per level.
 * Isomorphic.
 */
import { invalidArgument, internalError, unsupported } from "../../errors.js";
import { autoChunkSize, chunkSample, ChunkGrid, sampleBytes, type Chunk, type PartialChunk } from "../chunk-grid.js";
import { fflateZlibCompressor, type Compressor } from "../compress.js";
import { roundSignificant } from "../physical-units.js";
import { outputChannelColors, outputChannelNames } from "../output-channel-names.js";
import {
  bytesPerSample,
  type ImageSink,
  type OutputImageInfo,
  type PlaneIndex,
  type Rect,
  type SampleArray,
  type TModulo,
} from "../types.js";
import type { KeyValueTarget } from "./key-value-target.js";
import type { ReleasesBands } from "../reuse.js";
import type { PieceLayout } from "./chunk-pieces.js";
import { bytesToHex } from "../../bytes/hex.js";
import { halfOfChunk, pyramidLevelsFor, type PyramidOption } from "../pyramid.js";

export interface OmeZarrSinkOptions {
  /** Chunk height and width in pixels (default 512, less for very wide multi-sample outputs: `autoChunkSize`). */
  chunkSize?: number;
  /** `zlib` (default), `none`, or `auto`: none for float32 samples, as for OME-TIFF (`ome-tiff-sink.ts`). */
  compression?: "zlib" | "none" | "auto";
  /** zlib level written into `.zarray` (default 6); it should match the compressor. */
  level?: number;
  /** zlib implementation; default fflate at `level`, Node passes `node:zlib`. */
  compressor?: Compressor;
  /** `name` of the multiscale image. */
  imageName?: string;
  /**
   * A work unit's sink (`src/engine/units.ts`): `finish` hands the chunks written only in part
   * to this instead of asking for every pixel. Default: every pixel is required.
   */
  onPartialChunks?: (chunks: PartialChunk[]) => Promise<void>;
  /**
   * Add 2× levels down to at most 1024 px per side (`pyramid.ts`): true, false (default), or
   * `auto` = for outputs over 4096 px per side. Not with `onPartialChunks` (true is refused, `auto` gives none).
   */
  pyramid?: PyramidOption;
}

/** Size and chunk size of one pyramid level. */
interface Level {
  width: number;
  height: number;
  chunkW: number;
  chunkH: number;
}

const DTYPES = { uint8: "|u1", uint16: "<u2", uint32: "<u4", float32: "<f4" } as const;

/** Key of chunk (cy, cx) of output channel `channel` (= c·K + k) of `plane` in pyramid level `level`; `scenes` > 1 adds the scene group. */
export function zarrChunkKey(scenes: number, plane: PlaneIndex, channel: number, cy: number, cx: number, level = 0): string {
  return `${scenes > 1 ? `${plane.scene}/` : ""}${level}/${plane.t}/${channel}/${plane.z}/${cy}/${cx}`;
}

/** The stored bytes of one chunk (`K` samples per pixel, interleaved): one file per sample, compressed when `compressor` is given. */
export function zarrChunkFiles(data: SampleArray, K: number, compressor: Compressor | undefined): Promise<Uint8Array[]> {
  const files: Promise<Uint8Array>[] = [];
  for (let k = 0; k < K; k++) {
    const raw = sampleBytes(K === 1 ? data : chunkSample(data, K, k));
    files.push(compressor ? compressor(raw) : Promise.resolve(raw));
  }
  return Promise.all(files);
}

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value, null, 2));
const hex = ([r, g, b]: [number, number, number]) => bytesToHex([r, g, b]).toUpperCase();

export class OmeZarrSink implements ImageSink, ReleasesBands {
  /** Bands are copied or encoded before `writeBand` resolves (`ReleasesBands`). */
  readonly releasesBands = true as const;
  private readonly chunkSize: number | undefined;
  private compressor: Compressor | undefined;
  private readonly level: number;
  private info: OutputImageInfo | undefined;
  private grid: ChunkGrid | undefined;
  private chunkW = 0;
  private chunkH = 0;
  private done = false;
  /** Pyramid levels (index 0 = full resolution) and the grids collecting levels 1… */
  private levels: Level[] = [];
  private levelGrids: ChunkGrid[] = [];

  constructor(
    private readonly target: KeyValueTarget,
    private readonly options: OmeZarrSinkOptions = {},
  ) {
    const size = options.chunkSize;
    if (size !== undefined && (!Number.isInteger(size) || size < 1)) {
      throw invalidArgument(`chunk size ${size} is not allowed`, { where: "tileSize", allowed: "an integer >= 1" });
    }
    this.chunkSize = size;
    if (options.pyramid === true && options.onPartialChunks)
      throw invalidArgument("a pyramid cannot be built from work units' partial chunks", { where: "--pyramid" });
    this.level = options.level ?? 6;
    this.compressor = options.compression === "none" ? undefined : (options.compressor ?? fflateZlibCompressor(this.level));
  }

  /** Key prefix of scene `s`'s image group. */
  private prefix(scene: number): string {
    return this.info!.sizes.scene > 1 ? `${scene}/` : "";
  }

  async begin(info: OutputImageInfo): Promise<void> {
    if (this.info) throw internalError("OmeZarrSink.begin() called twice");
    if (!(info.sampleType in DTYPES))
      throw unsupported(`OME-Zarr output cannot hold ${info.sampleType} samples`, {
        where: this.target.name,
        allowed: "uint8, uint16, uint32, float32",
      });
    for (const [k, v] of Object.entries({ width: info.width, height: info.height, samplesPerPixel: info.samplesPerPixel, ...info.sizes })) {
      if (!Number.isInteger(v) || v < 1)
        throw invalidArgument(`output ${k} is ${v}`, { where: this.target.name, allowed: "an integer >= 1" });
    }
    this.info = info;
    if (this.options.compression === "auto" && info.sampleType === "float32") this.compressor = undefined;
    const size = this.chunkSize ?? autoChunkSize(info.width, info.samplesPerPixel * bytesPerSample(info.sampleType));
    this.chunkW = Math.min(size, info.width);
    this.chunkH = Math.min(size, info.height);
    this.grid = new ChunkGrid({ ...info, chunkWidth: this.chunkW, chunkHeight: this.chunkH }, (chunks) => this.writeChunks(chunks, 0));
    this.planLevels(size);

    await this.target.set(".zgroup", json({ zarr_format: 2 }));
    if (info.sizes.scene > 1) await this.target.set(".zattrs", json({ "bioformats2raw.layout": 3 }));
    for (let s = 0; s < info.sizes.scene; s++) {
      const p = this.prefix(s);
      if (p) await this.target.set(`${p}.zgroup`, json({ zarr_format: 2 }));
      await this.target.set(`${p}.zattrs`, json(this.imageAttributes(s)));
      for (let l = 0; l < this.levels.length; l++) await this.target.set(`${p}${l}/.zarray`, json(this.arrayMetadata(l)));
    }
  }

  /** Level sizes (each half the one above, rounded up) and the grids of levels 1… */
  private planLevels(size: number): void {
    const info = this.info!;
    this.levels = [{ width: info.width, height: info.height, chunkW: this.chunkW, chunkH: this.chunkH }];
    this.levelGrids = [];
    const count = this.options.onPartialChunks ? 1 : pyramidLevelsFor(this.options.pyramid ?? false, info.width, info.height);
    for (let l = 1; l < count; l++) {
      const above = this.levels[l - 1]!;
      const width = Math.ceil(above.width / 2);
      const height = Math.ceil(above.height / 2);
      const level = { width, height, chunkW: Math.min(size, width), chunkH: Math.min(size, height) };
      this.levels.push(level);
      const layout = { ...info, width, height, chunkWidth: level.chunkW, chunkHeight: level.chunkH };
      this.levelGrids.push(new ChunkGrid(layout, (chunks) => this.writeChunks(chunks, l)));
    }
  }

  private arrayMetadata(level: number): Record<string, unknown> {
    const info = this.info!;
    const { width, height, chunkW, chunkH } = this.levels[level]!;
    return {
      zarr_format: 2,
      shape: [info.sizes.t, info.sizes.c * info.samplesPerPixel, info.sizes.z, height, width],
      chunks: [1, 1, 1, chunkH, chunkW],
      dtype: DTYPES[info.sampleType as keyof typeof DTYPES],
      compressor: this.compressor ? { id: "zlib", level: this.level } : null,
      fill_value: 0,
      order: "C",
      filters: null,
      dimension_separator: "/",
    };
  }

  private channelNames(): string[] {
    return outputChannelNames(this.info!);
  }

  private imageAttributes(scene: number): Record<string, unknown> {
    const info = this.info!;
    const ps = info.physicalSize ?? {};
    const um = (m: number | undefined) => (m === undefined ? 1 : roundSignificant(m * 1e6));
    const space = (name: string, m: number | undefined) => ({ name, type: "space", ...(m !== undefined ? { unit: "micrometer" } : {}) });
    const base = this.options.imageName ?? "prediction";
    const attrs: Record<string, unknown> = {
      multiscales: [
        {
          version: "0.4",
          name: info.sizes.scene > 1 ? `${base} scene ${scene}` : base,
          axes: [{ name: "t", type: "time" }, { name: "c", type: "channel" }, space("z", ps.z), space("y", ps.y), space("x", ps.x)],
          datasets: this.levels.map((_, l) => ({
            path: String(l),
            coordinateTransformations: [{ type: "scale", scale: [1, 1, um(ps.z), um(ps.y) * 2 ** l, um(ps.x) * 2 ** l] }],
          })),
        },
      ],
    };
    const classes = info.classes ?? [];
    const colors = outputChannelColors(info);
    attrs.omero = {
      channels: this.channelNames().map((label, i) => {
        const color = colors[i];
        return { label, color: color ? hex(color) : "FFFFFF", active: true };
      }),
    };
    if (info.kind === "labels" && classes.length > 0) {
      attrs["image-label"] = {
        version: "0.4",
        colors: classes.map((c) => ({ "label-value": c.value, rgba: [...c.color, 255] })),
        properties: classes.map((c) => ({ "label-value": c.value, class: c.name })),
      };
    }
    attrs.czmodel = {
      kind: info.kind,
      ...(info.classes ? { classes: info.classes } : {}),
      ...(info.unclassifiedValue !== undefined ? { unclassifiedValue: info.unclassifiedValue } : {}),
      ...(info.description ? { description: info.description } : {}),
      ...(info.tModulo ? { moduloAlongT: moduloAttributes(info.tModulo) } : {}),
    };
    return attrs;
  }

  async writeBand(plane: PlaneIndex, y: number, rows: number, data: SampleArray): Promise<void> {
    if (!this.grid || !this.info) throw internalError("OmeZarrSink.writeBand() before begin()");
    await this.grid.write(plane, { x: 0, y, width: this.info.width, height: rows }, data);
  }

  async writeTile(plane: PlaneIndex, rect: Rect, data: SampleArray): Promise<void> {
    if (!this.grid) throw internalError("OmeZarrSink.writeTile() before begin()");
    await this.grid.write(plane, rect, data);
  }

  /** Encode and store complete chunks of pyramid level `level`, and hand their downsampled pixels to the next level. */
  private async writeChunks(chunks: Chunk[], level: number): Promise<void> {
    await Promise.all(chunks.map((c) => this.writeChunk(c.plane, c.cy, c.cx, c.data, level)));
    const next = this.levelGrids[level];
    if (!next) return;
    const levelInfo = this.levels[level]!;
    for (const c of chunks) {
      const { rect, data } = halfOfChunk(c, levelInfo.chunkW, levelInfo.chunkH, levelInfo, this.info!);
      await next.write(c.plane, rect, data);
    }
  }

  /** Encode and store chunk (cy, cx) of `plane` (all samples interleaved), one Zarr chunk per output sample (channel c·K + k). */
  async writeChunk(plane: PlaneIndex, cy: number, cx: number, data: SampleArray, level = 0): Promise<void> {
    if (!this.info) throw internalError("OmeZarrSink.writeChunk() before begin()");
    const K = this.info.samplesPerPixel;
    const files = await zarrChunkFiles(data, K, this.compressor);
    await Promise.all(
      files.map((bytes, k) => this.target.set(zarrChunkKey(this.info!.sizes.scene, plane, plane.c * K + k, cy, cx, level), bytes)),
    );
  }

  /** What a piece of a chunk of this output holds (`chunk-pieces.ts`; after `begin`). */
  get pieceLayout(): PieceLayout {
    if (!this.info) throw internalError("OmeZarrSink.pieceLayout before begin()");
    const { sampleType, samplesPerPixel } = this.info;
    return { sampleType, samplesPerPixel, chunkWidth: this.chunkW, chunkHeight: this.chunkH };
  }

  async finish(): Promise<void> {
    if (!this.info || !this.grid) throw internalError("OmeZarrSink.finish() before begin()");
    if (this.done) throw internalError("OmeZarrSink.finish() called twice");
    const partial = this.options.onPartialChunks;
    if (partial) await partial(this.grid.takePending());
    else if (!this.grid.complete)
      throw internalError(`OmeZarrSink.finish() before all pixels were written: missing ${this.grid.describeProgress()}`);
    const short = this.levelGrids.findIndex((g) => !g.complete);
    if (short >= 0)
      throw internalError(`OmeZarrSink.finish(): pyramid level ${short + 1} is missing ${this.levelGrids[short]!.describeProgress()}`);
    await this.target.commit();
    this.done = true;
  }

  async abort(): Promise<void> {
    await this.target.abort();
  }
}

/** `czmodel.moduloAlongT`: the T axis holds `size` positions of an extra dimension inside each time point (t = T·size + k). */
function moduloAttributes(m: TModulo): Record<string, unknown> {
  return { dimension: m.dimension.toUpperCase(), size: m.indices.length, indices: m.indices };
}
