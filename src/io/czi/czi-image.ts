/**
 * `CziImage`: a CZI file as an `ImageSource`. Opening reads only the file header, the
 * subblock directory, the metadata XML and the attachment directory; pixels are read on
 * demand, one region at a time, decoding only the subblocks that touch it (with a small LRU
 * of decoded subblocks, and row-band reads of big uncompressed subblocks), so a multi-GB
 * CZI streams in bounded memory. Works on any `ByteSource` (Node file, browser Blob).
 */
import type { ByteSource } from "../../bytes/byte-source.js";
import { CzmodelError, invalidArgument, invalidImage, unsupported } from "../../errors.js";
import {
  allocSamples,
  bytesPerSample,
  type ExtraDimension,
  type ImageInfo,
  type ImageSource,
  type PlaneIndex,
  type Rect,
  type SampleArray,
  type SampleType,
} from "../types.js";
import { readAttachmentData, readAttachmentDirectory, type CziAttachment } from "./attachments.js";
import { pasteTile, rowsNeeded, type StoredPixels } from "./compose.js";
import { bytesToSamples, decodeJxrSubblock, decodeSubblock, decodedByteSize, readablePixelType, unsupportedCompression } from "./decode.js";
import { readDirectory, type SubblockEntry } from "./directory.js";
import { Compression, isReadableCompression } from "./enums.js";
import { readFileHeader, type CziFileHeader } from "./file-header.js";
import type { JxrDecode } from "./jxr.js";
import { CziLayout, type CziPyramidLevel } from "./layout.js";
import { DEFAULT_CACHE_BYTES, DEFAULT_MAX_REGION_BYTES, DEFAULT_MAX_SUBBLOCK_BYTES, DEFAULT_PARTIAL_READ_BYTES } from "./limits.js";
import { buildCziInfo, compressionWarnings, pixelFormat } from "./image-info.js";
import { ByteLru } from "./lru.js";
import { emptyMetadataSummary, readMetadataXml, summarizeMetadata, type CziMetadataSummary } from "./metadata.js";
import { readSubblockLayout, readSubblockMetadataXml, subblockWhere, type SubblockLayout } from "./subblock.js";

export interface CziOpenOptions {
  /** Bytes of decoded subblocks kept for reuse (default 64 MiB). */
  cacheBytes?: number;
  /** Largest decoded compressed subblock accepted (default 1 GiB). */
  maxSubblockBytes?: number;
  /** Largest region one `readRegion` / `readLevel` may return (default 1 GiB). */
  maxRegionBytes?: number;
  /** Uncompressed subblocks above this size are read in row bands, not whole (default 16 MiB). */
  partialReadBytes?: number;
  /**
   * A dimension other than X, Y, S, T, C, Z, M (B, H, V, R, I …) with several values: `error`
   * (default) refuses the file, `first` reads only its lowest index (with a warning).
   * CLI: `--czi-other-dimensions error|first` on `predict` and `image-info`.
   */
  otherDimensions?: "error" | "first";
  /**
   * Extra dimensions (h, b, v, r, i) read as planes: all their indices are folded into T
   * (`info.foldedIntoT`; see `io/extra-dimensions.ts`). `predictFile` and `convertImageFile`
   * set this from the `planes` selection (`--plane h=0-3`).
   */
  planeDimensions?: readonly ExtraDimension[];
  /**
   * Decodes JPEG-XR subblocks (default: jxrlib's wasm in this thread). Node's file openers pass
   * one that runs in a worker thread (`io/czi/node/jxr-thread.ts`).
   */
  decodeJxr?: JxrDecode;
}

/** A decoded subblock at its stored size, in its own pixel type. */
export interface DecodedSubblock {
  entry: SubblockEntry;
  width: number;
  height: number;
  samplesPerPixel: number;
  sampleType: SampleType;
  samples: SampleArray;
}

/** A pyramid level with the size of each scene at that level. */
export interface CziLevelInfo extends CziPyramidLevel {
  scenes: { width: number; height: number }[];
}

export class CziImage implements ImageSource {
  readonly info: ImageInfo;
  /** Every subblock of the file, in directory order. */
  readonly subblocks: readonly SubblockEntry[];
  readonly attachments: readonly CziAttachment[];
  readonly levels: readonly CziLevelInfo[];
  readonly fileHeader: CziFileHeader;
  /** Summary of the document XML (empty when it is missing or broken; see `warnings`). */
  readonly metadata: CziMetadataSummary;
  /** Things a user should know (ignored dimensions, unreadable codecs, broken metadata …). */
  readonly warnings: readonly string[];

  private readonly cache: ByteLru<number, SampleArray>;
  private readonly layouts = new Map<number, Promise<SubblockLayout>>();
  private readonly maxSubblockBytes: number;
  private readonly maxRegionBytes: number;
  private readonly partialReadBytes: number;
  private readonly decodeJxr: JxrDecode | undefined;

  private constructor(
    private readonly source: ByteSource,
    fileHeader: CziFileHeader,
    entries: SubblockEntry[],
    private readonly layout: CziLayout,
    metadata: CziMetadataSummary,
    attachments: CziAttachment[],
    /** Sorted file offsets of every known segment, and the file size: a subblock must end before the next. */
    private readonly segmentStarts: number[],
    warnings: string[],
    options: CziOpenOptions,
  ) {
    this.fileHeader = fileHeader;
    this.subblocks = entries;
    this.metadata = metadata;
    this.attachments = attachments;
    this.cache = new ByteLru(options.cacheBytes ?? DEFAULT_CACHE_BYTES);
    this.maxSubblockBytes = options.maxSubblockBytes ?? DEFAULT_MAX_SUBBLOCK_BYTES;
    this.maxRegionBytes = options.maxRegionBytes ?? DEFAULT_MAX_REGION_BYTES;
    this.partialReadBytes = options.partialReadBytes ?? DEFAULT_PARTIAL_READ_BYTES;
    this.decodeJxr = options.decodeJxr;
    this.levels = layout.levels.map((l) => ({ ...l, scenes: layout.scenes.map((_, s) => layout.levelSize(s, l.level)) }));
    const pixel = pixelFormat(layout.used, source.name, warnings);
    warnings.push(...compressionWarnings(layout.used));
    this.warnings = [...layout.warnings, ...warnings];
    this.info = buildCziInfo({
      layout,
      levels: this.levels,
      pixel,
      fileHeader,
      metadata,
      attachments,
      subblockCount: entries.length,
      warnings: this.warnings,
    });
  }

  /** Open a CZI file. The image owns `source`: `close()` closes it. */
  static async open(source: ByteSource, options: CziOpenOptions = {}): Promise<CziImage> {
    const warnings: string[] = [];
    const header = await readFileHeader(source);
    const entries = await readDirectory(source, header.directoryPosition);
    /** Segments read successfully: no subblock may run into them. */
    const starts = new Set<number>([0, source.size, header.directoryPosition]);

    let metadata = emptyMetadataSummary();
    if (header.metadataPosition > 0) {
      try {
        metadata = summarizeMetadata((await readMetadataXml(source, header.metadataPosition)).xml);
        starts.add(header.metadataPosition);
      } catch (e) {
        if (!isFileProblem(e)) throw e;
        warnings.push(`metadata ignored: ${e.message}`);
      }
    } else {
      warnings.push("the file has no metadata segment: no channel names or scaling");
    }
    warnings.push(...metadata.warnings);

    let attachments: CziAttachment[] = [];
    if (header.attachmentDirectoryPosition > 0) {
      try {
        attachments = await readAttachmentDirectory(source, header.attachmentDirectoryPosition);
        starts.add(header.attachmentDirectoryPosition);
        for (const a of attachments) starts.add(a.filePosition);
      } catch (e) {
        if (!isFileProblem(e)) throw e;
        warnings.push(`attachments ignored: ${e.message}`);
      }
    }

    const layout = new CziLayout(entries, source.name, {
      otherDimensions: options.otherDimensions ?? "error",
      ...(options.planeDimensions ? { planeDimensions: options.planeDimensions } : {}),
      sceneNames: metadata.sceneNames,
    });
    for (const e of entries) starts.add(e.filePosition);
    const segmentStarts = [...starts].sort((a, b) => a - b);
    return new CziImage(source, header, entries, layout, metadata, attachments, segmentStarts, warnings, options);
  }

  /** Read a rectangle (relative to the scene's top-left) of one plane at full resolution. */
  readRegion(plane: PlaneIndex, rect: Rect): Promise<SampleArray> {
    return this.readLevel(plane, rect, 0);
  }

  /**
   * Read a rectangle of one plane at pyramid level `level` (see `levels`): the rectangle is in
   * that level's pixel grid (scene top-left = 0, size `levels[level].scenes[scene]`). Only
   * subblocks stored at that level are used; places they do not cover read as 0.
   */
  async readLevel(plane: PlaneIndex, rect: Rect, level: number): Promise<SampleArray> {
    this.checkPlane(plane);
    if (!Number.isInteger(level) || level < 0 || level >= this.levels.length) {
      throw invalidArgument(`pyramid level ${level} does not exist`, { where: this.source.name, allowed: `0..${this.levels.length - 1}` });
    }
    const size = this.levels[level]!.scenes[plane.scene]!;
    this.checkRect(rect, size);
    const { samplesPerPixel: spp, sampleType } = this.info;
    const bytes = rect.width * rect.height * spp * bytesPerSample(sampleType);
    if (bytes > this.maxRegionBytes) {
      throw invalidArgument(`region ${rect.width}×${rect.height} needs ${bytes} bytes, more than the ${this.maxRegionBytes}-byte limit`, {
        where: this.source.name,
        allowed: "a smaller rectangle",
      });
    }
    const out = allocSamples(sampleType, rect.width * rect.height * spp);
    const index = this.layout.tiles(plane, level);
    if (!index) return out;
    const scene = this.layout.scenes[plane.scene]!.bounds;
    const ds = this.levels[level]!.downsample;
    const raw = { x: scene.x + rect.x * ds, y: scene.y + rect.y * ds, width: rect.width * ds, height: rect.height * ds };
    for (const entry of index.query(raw)) {
      const px = Math.round((entry.x - scene.x) / ds);
      const py = Math.round((entry.y - scene.y) / ds);
      const place = {
        x: px,
        y: py,
        width: Math.round((entry.x + entry.width - scene.x) / ds) - px,
        height: Math.round((entry.y + entry.height - scene.y) / ds) - py,
      };
      const rows = rowsNeeded(rect, place, entry.storedHeight);
      if (!rows) continue;
      pasteTile(out, rect, spp, await this.storedRows(entry, rows), place);
    }
    return out;
  }

  /** Decode one subblock (by directory index) at its stored size, in its own pixel type (a copy). */
  async readSubblock(index: number): Promise<DecodedSubblock> {
    const entry = this.entry(index);
    const pt = readablePixelType(entry, subblockWhere(this.source.name, entry));
    return {
      entry,
      width: entry.storedWidth,
      height: entry.storedHeight,
      samplesPerPixel: pt.samplesPerPixel,
      sampleType: pt.sampleType,
      samples: (await this.decoded(entry)).slice(),
    };
  }

  /** The XML metadata of one subblock (acquisition time, stage position …), "" when none. */
  async subblockMetadataXml(index: number): Promise<string> {
    return readSubblockMetadataXml(this.source, await this.subblockLayout(this.entry(index)));
  }

  /** The document metadata XML (read again from the file each call). */
  async metadataXml(): Promise<string> {
    if (this.fileHeader.metadataPosition === 0) return "";
    return (await readMetadataXml(this.source, this.fileHeader.metadataPosition)).xml;
  }

  /** The payload of an attachment, by index or name (first match), e.g. `Thumbnail`. */
  async readAttachment(which: number | string): Promise<Uint8Array> {
    const a = typeof which === "number" ? this.attachments[which] : this.attachments.find((x) => x.name === which);
    if (!a) {
      throw invalidArgument(`no attachment ${JSON.stringify(which)}`, {
        where: this.source.name,
        allowed: this.attachments.map((x) => x.name).join(", ") || "none: the file has no attachments",
      });
    }
    return readAttachmentData(this.source, a);
  }

  async close(): Promise<void> {
    this.cache.clear();
    this.layouts.clear();
    await this.source.close();
  }

  // ---- pixels -------------------------------------------------------------------------------

  /** Stored rows `[first, end)` of a subblock, converted to the image's sample type. */
  private async storedRows(entry: SubblockEntry, [first, end]: [number, number]): Promise<StoredPixels> {
    const where = subblockWhere(this.source.name, entry);
    const pt = readablePixelType(entry, where);
    const full = decodedByteSize(entry, pt);
    let samples: SampleArray;
    let row0 = 0;
    let rows = entry.storedHeight;
    if (entry.compression === Compression.uncompressed && full > this.partialReadBytes) {
      const layout = await this.subblockLayout(entry);
      this.checkUncompressedSize(layout, full, where);
      const stride = entry.storedWidth * pt.bytesPerPixel;
      const bytes = await this.source.read(layout.dataOffset + first * stride, (end - first) * stride);
      samples = bytesToSamples(bytes, pt.sampleType);
      row0 = first;
      rows = end - first;
    } else {
      samples = await this.decoded(entry);
    }
    if (pt.sampleType !== this.info.sampleType) {
      const converted = allocSamples(this.info.sampleType, samples.length);
      converted.set(samples);
      samples = converted;
    }
    return { samples, width: entry.storedWidth, height: entry.storedHeight, row0, rows };
  }

  /** The whole decoded subblock, through the LRU cache. */
  private decoded(entry: SubblockEntry): Promise<SampleArray> {
    const cached = this.cache.get(entry.index);
    if (cached) return cached;
    const where = subblockWhere(this.source.name, entry);
    const pt = readablePixelType(entry, where);
    const size = decodedByteSize(entry, pt);
    const promise = (async () => {
      if (!isReadableCompression(entry.compression)) throw unsupportedCompression(entry, where);
      if (size > this.maxSubblockBytes) {
        throw unsupported(`subblock decodes to ${size} bytes, more than the ${this.maxSubblockBytes}-byte limit`, { where });
      }
      const layout = await this.subblockLayout(entry);
      if (entry.compression === Compression.uncompressed) {
        this.checkUncompressedSize(layout, size, where);
        return decodeSubblock(entry, await this.source.read(layout.dataOffset, size), where);
      }
      if (layout.dataSize > this.maxSubblockBytes) {
        throw unsupported(`compressed subblock of ${layout.dataSize} bytes is larger than the limit`, { where });
      }
      const data = await this.source.read(layout.dataOffset, layout.dataSize);
      if (entry.compression === Compression.jpegXr) return decodeJxrSubblock(entry, data, where, this.maxSubblockBytes, this.decodeJxr);
      return decodeSubblock(entry, data, where);
    })();
    this.cache.set(entry.index, promise, size);
    return promise;
  }

  private checkUncompressedSize(layout: SubblockLayout, size: number, where: string): void {
    if (layout.dataSize < size) {
      const e = layout.entry;
      throw invalidImage(
        `uncompressed subblock has ${layout.dataSize} data bytes but ${e.storedWidth}×${e.storedHeight} ${e.pixelTypeName} needs ${size}`,
        {
          where,
        },
      );
    }
  }

  private subblockLayout(entry: SubblockEntry): Promise<SubblockLayout> {
    let p = this.layouts.get(entry.index);
    if (!p) {
      p = readSubblockLayout(this.source, entry, this.nextSegmentStart(entry.filePosition));
      p.catch(() => this.layouts.delete(entry.index));
      this.layouts.set(entry.index, p);
    }
    return p;
  }

  private nextSegmentStart(position: number): number {
    const s = this.segmentStarts;
    let lo = 0;
    let hi = s.length - 1; // s[hi] = file size > position
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid]! > position) hi = mid;
      else lo = mid + 1;
    }
    return s[lo]!;
  }

  // ---- checks -------------------------------------------------------------------------------

  private entry(index: number): SubblockEntry {
    const e = this.subblocks[index];
    if (!Number.isInteger(index) || !e) {
      throw invalidArgument(`subblock #${index} does not exist`, { where: this.source.name, allowed: `0..${this.subblocks.length - 1}` });
    }
    return e;
  }

  private checkPlane(plane: PlaneIndex): void {
    const sizes = this.info.sizes;
    for (const axis of ["scene", "t", "c", "z"] as const) {
      const v = plane[axis];
      if (!Number.isInteger(v) || v < 0 || v >= sizes[axis]) {
        throw invalidArgument(`plane ${axis}=${v} is out of range`, { where: this.source.name, allowed: `0..${sizes[axis] - 1}` });
      }
    }
  }

  private checkRect(rect: Rect, size: { width: number; height: number }): void {
    const ok =
      [rect.x, rect.y, rect.width, rect.height].every(Number.isInteger) &&
      rect.x >= 0 &&
      rect.y >= 0 &&
      rect.width >= 1 &&
      rect.height >= 1 &&
      rect.x + rect.width <= size.width &&
      rect.y + rect.height <= size.height;
    if (!ok) {
      throw invalidArgument(`region x=${rect.x} y=${rect.y} ${rect.width}×${rect.height} is not inside the plane`, {
        where: this.source.name,
        allowed: `integers within ${size.width}×${size.height}`,
      });
    }
  }
}

/** True for errors that mean "this part of the file is broken", which we can survive. */
function isFileProblem(e: unknown): e is CzmodelError {
  return (
    e instanceof CzmodelError &&
    (e.code === "INVALID_IMAGE" || e.code === "OUT_OF_RANGE" || e.code === "UNSUPPORTED" || e.code === "INVALID_METADATA")
  );
}

/**
 * Open a CZI file from any byte source. On success the image owns `source` (its `close()`
 * closes it); on failure the caller still owns it.
 */
export function openCzi(source: ByteSource, options?: CziOpenOptions): Promise<CziImage> {
  return CziImage.open(source, options);
}
