/**
 * Reads the tiles or strips ("blocks") of TIFF pages as typed arrays in platform byte order.
 * Compressed blocks are fetched whole and decoded with geotiff's decoders (deflate, LZW,
 * PackBits, zstd, JPEG, WebP, predictors); decoded blocks are kept in a `BlockCache`
 * (`block-cache.ts`: bounded in bytes, with a policy that keeps the blocks the next row of
 * tiles reads again) because neighbouring regions of a tiled read share blocks. Uncompressed
 * blocks are read row range by row range straight from the `ByteSource`, so even a 2 GB
 * single-strip image is never read whole. Deflate can use an injected `Inflate` (Node passes
 * `node:zlib`, which is several times faster than pako and runs on the thread pool).
 * Isomorphic.
 */
import { BaseDecoder, getDecoder } from "geotiff";
import { invalidImage } from "../../errors.js";
import type { ByteSource } from "../../bytes/byte-source.js";
import { readsBytesInto } from "../reuse.js";
import { allocSamples, bytesPerSample, type SampleArray, type SampleType } from "../types.js";
import { BlockCache, type CachedBlock } from "./block-cache.js";
import type { IfdInfo } from "./ifd.js";

interface Decoder {
  decode(buffer: ArrayBufferLike): Promise<ArrayBufferLike>;
}

/**
 * Decompress a zlib stream (TIFF deflate); e.g. `node:zlib` in Node, which is faster than
 * geotiff's pako. `expectedBytes` is the decoded size of a whole block, a hint that lets an
 * implementation produce its output in one piece (the result may be shorter or longer).
 */
export type Inflate = (compressed: Uint8Array, expectedBytes?: number) => Promise<Uint8Array>;

/** geotiff decoder for deflate that uses an injected `Inflate` (geotiff's base class still applies the predictor). */
function injectedDeflateDecoder(inflate: Inflate, params: ConstructorParameters<typeof BaseDecoder>[0]): Decoder {
  class InjectedDeflate extends BaseDecoder {
    override async decodeBlock(buffer: ArrayBufferLike): Promise<ArrayBufferLike> {
      const out = await inflate(new Uint8Array(buffer));
      return out.byteOffset === 0 && out.byteLength === out.buffer.byteLength ? out.buffer : new Uint8Array(out).buffer;
    }
  }
  return new InjectedDeflate(params);
}

function view(type: SampleType, buffer: ArrayBufferLike, byteOffset: number, length: number): SampleArray {
  switch (type) {
    case "uint8":
      return new Uint8Array(buffer, byteOffset, length);
    case "int8":
      return new Int8Array(buffer, byteOffset, length);
    case "uint16":
      return new Uint16Array(buffer, byteOffset, length);
    case "int16":
      return new Int16Array(buffer, byteOffset, length);
    case "uint32":
      return new Uint32Array(buffer, byteOffset, length);
    case "int32":
      return new Int32Array(buffer, byteOffset, length);
    case "float32":
      return new Float32Array(buffer, byteOffset, length);
    case "float64":
      return new Float64Array(buffer, byteOffset, length);
  }
}

/** Reverse the byte order of every `size`-byte value in place. */
function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

export class BlockReader {
  private readonly decoders = new Map<number, Promise<Decoder>>();
  /** Decoded blocks (see `block-cache.ts`); exposed for tests and diagnostics. */
  readonly cache: BlockCache;
  /** Reused buffers for compressed blocks (`ByteReaderInto` sources). */
  private readonly scratch: Uint8Array[] = [];

  /**
   * @param cacheLimitBytes most bytes of decoded blocks kept
   * @param recentFloorBytes bytes of most recently used blocks kept whatever their age (`BlockCache`)
   */
  constructor(
    private readonly source: ByteSource,
    private readonly littleEndian: boolean,
    cacheLimitBytes: number,
    private readonly inflate?: Inflate,
    recentFloorBytes = Math.min(cacheLimitBytes, 16 * 1024 * 1024),
  ) {
    this.cache = new BlockCache(cacheLimitBytes, recentFloorBytes);
  }

  /** Bytes of one decoded block of a page. */
  static blockBytes(ifd: IfdInfo, type: SampleType): number {
    return ifd.blockWidth * ifd.blockHeight * BlockReader.samplesInBlock(ifd) * bytesPerSample(type);
  }

  /**
   * Start a region read of rows `[top, bottom)` of one plane (`plane`: a key naming the page
   * and sample plane) whose blocks take `rowBytes` bytes per pixel row across the page (all
   * sample planes read). Returns the image row from which blocks are to be read with a
   * `keepFrom` (the rows the next row of reads will need again), or null for none.
   */
  beginRead(ifd: IfdInfo, plane: string, top: number, bottom: number, rowBytes: number): number | null {
    return this.cache.beginRead(ifd.index, plane, top, bottom, ifd.height, rowBytes);
  }

  /** Rows in block row `by` of a page (strips and tiles at the bottom edge may have fewer). */
  static blockRows(ifd: IfdInfo, by: number): number {
    return ifd.tiled ? ifd.blockHeight : Math.min(ifd.blockHeight, ifd.height - by * ifd.blockHeight);
  }

  /** Samples per block pixel: all samples (contiguous) or one (separate planes). */
  static samplesInBlock(ifd: IfdInfo): number {
    return ifd.planar === 1 ? ifd.samplesPerPixel : 1;
  }

  /**
   * Rows `[row0, row1)` of block `index` (already including the planar sample offset), as
   * `(row1 - row0) × blockWidth × samplesInBlock` samples; the returned array may be a view
   * into a cached decoded block starting at `row0`. `keepFrom` (block row, from
   * `beginRead`'s carry row): the rows from there down are likely read again by the next row
   * of reads, so the cache keeps them after the block has left its recent tier.
   */
  async rows(
    ifd: IfdInfo,
    type: SampleType,
    index: number,
    row0: number,
    row1: number,
    keepFrom: number | null = null,
  ): Promise<SampleArray> {
    const size = bytesPerSample(type);
    const rowSamples = ifd.blockWidth * BlockReader.samplesInBlock(ifd);
    const offset = ifd.blockOffsets[index];
    const byteCount = ifd.blockByteCounts[index];
    if (offset === undefined || byteCount === undefined) {
      throw invalidImage(`page ${ifd.index} has no block ${index}`, { where: this.source.name });
    }
    if (byteCount === 0) return allocSamples(type, (row1 - row0) * rowSamples); // sparse: a block never written reads as 0
    if (ifd.compression === 1 && ifd.predictor === 1) {
      const bytes = await this.source.read(offset + row0 * rowSamples * size, (row1 - row0) * rowSamples * size);
      const swap = !this.littleEndian && size > 1;
      // Copy when swapping (never change the source's bytes) or when the view is misaligned.
      const own = swap || bytes.byteOffset % size !== 0 ? new Uint8Array(bytes) : bytes;
      if (swap) swapBytes(own, size);
      return view(type, own.buffer, own.byteOffset, (row1 - row0) * rowSamples);
    }
    const { data, firstRow } = this.decoded(ifd, type, index, row0, keepFrom);
    const block = await data;
    const need = (row1 - firstRow) * rowSamples;
    if (block.length < need) {
      throw invalidImage(
        `block ${index} of page ${ifd.index} decodes to ${block.length + firstRow * rowSamples} samples, expected at least ${row1 * rowSamples}`,
        {
          where: this.source.name,
        },
      );
    }
    return block.subarray((row0 - firstRow) * rowSamples, need);
  }

  /** Block `index` from row `row0` on, from the cache or decoded now (and cached). */
  private decoded(ifd: IfdInfo, type: SampleType, index: number, row0: number, keepFrom: number | null): CachedBlock {
    const key = `${ifd.index}:${index}`;
    const hit = this.cache.get(key, row0, keepFrom);
    if (hit) return hit;
    const across = Math.ceil(ifd.width / ifd.blockWidth);
    const by = Math.floor((index % (across * Math.ceil(ifd.height / ifd.blockHeight))) / across);
    const place = {
      page: ifd.index,
      bottom: (by + 1) * ifd.blockHeight,
      blockRows: ifd.blockHeight,
      rowSamples: ifd.blockWidth * BlockReader.samplesInBlock(ifd),
      bytesPerSample: bytesPerSample(type),
    };
    return this.cache.add(key, this.decode(ifd, type, index), place, keepFrom);
  }

  private async decode(ifd: IfdInfo, type: SampleType, index: number): Promise<SampleArray> {
    const size = bytesPerSample(type);
    const deflate = ifd.compression === 8 || ifd.compression === 32946;
    if (deflate && this.inflate && ifd.predictor === 1 && readsBytesInto(this.source)) {
      // The compressed bytes are only needed until inflated: read them into a reused buffer.
      const byteCount = ifd.blockByteCounts[index]!;
      const scratch = this.takeScratch(byteCount);
      try {
        return await this.inflateBlock(ifd, type, index, await this.source.readInto(ifd.blockOffsets[index]!, byteCount, scratch));
      } finally {
        this.scratch.push(scratch);
      }
    }
    const raw = await this.source.read(ifd.blockOffsets[index]!, ifd.blockByteCounts[index]!);
    checkCodecMagic(ifd, index, raw, this.source.name);
    if (deflate && this.inflate && ifd.predictor === 1) return this.inflateBlock(ifd, type, index, raw);
    const compressed = raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength ? raw.buffer : new Uint8Array(raw).buffer;
    let decoded: ArrayBufferLike;
    try {
      decoded = await (await this.decoder(ifd)).decode(compressed);
    } catch (e) {
      throw invalidImage(
        `cannot decode ${ifd.tiled ? "tile" : "strip"} ${index} of page ${ifd.index}: ${e instanceof Error ? e.message : String(e)}`,
        {
          where: this.source.name,
          cause: e,
        },
      );
    }
    // The floating-point predictor already yields little-endian values.
    if (!this.littleEndian && size > 1 && ifd.predictor !== 3) swapBytes(new Uint8Array(decoded), size);
    return view(type, decoded, 0, Math.floor(decoded.byteLength / size));
  }

  /** A free scratch buffer of at least `bytes` (the pool holds as many as reads were ever in flight at once). */
  private takeScratch(bytes: number): Uint8Array {
    const at = this.scratch.findIndex((b) => b.byteLength >= bytes);
    if (at >= 0) return this.scratch.splice(at, 1)[0]!;
    // Grow in steps so blocks of slightly different sizes share buffers.
    return new Uint8Array(Math.ceil(Math.max(bytes, 64 * 1024) * 1.25));
  }

  /** Deflate without a predictor, straight through the injected `Inflate` (no copy of its output). */
  private async inflateBlock(ifd: IfdInfo, type: SampleType, index: number, raw: Uint8Array): Promise<SampleArray> {
    const size = bytesPerSample(type);
    let bytes: Uint8Array;
    try {
      bytes = await this.inflate!(raw, BlockReader.blockBytes(ifd, type));
    } catch (e) {
      throw invalidImage(
        `cannot decode ${ifd.tiled ? "tile" : "strip"} ${index} of page ${ifd.index}: ${e instanceof Error ? e.message : String(e)}`,
        {
          where: this.source.name,
          cause: e,
        },
      );
    }
    if (bytes.byteOffset % size !== 0) bytes = new Uint8Array(bytes);
    if (!this.littleEndian && size > 1) swapBytes(bytes, size);
    return view(type, bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / size));
  }

  private decoder(ifd: IfdInfo): Promise<Decoder> {
    let d = this.decoders.get(ifd.index);
    if (!d) {
      const params = {
        tileWidth: ifd.blockWidth,
        tileHeight: ifd.blockHeight,
        planarConfiguration: ifd.planar,
        bitsPerSample: new Array<number>(ifd.samplesPerPixel).fill(ifd.bitsPerSample),
        predictor: ifd.predictor,
        samplesPerPixel: ifd.samplesPerPixel,
        ...(ifd.jpegTables ? { JPEGTables: ifd.jpegTables } : {}),
      };
      const deflate = ifd.compression === 8 || ifd.compression === 32946;
      d =
        deflate && this.inflate
          ? Promise.resolve(injectedDeflateDecoder(this.inflate, params as ConstructorParameters<typeof BaseDecoder>[0]))
          : (getDecoder(ifd.compression, params as Parameters<typeof getDecoder>[1]) as Promise<Decoder>);
      this.decoders.set(ifd.index, d);
    }
    return d;
  }
}

/** Leading bytes every block of a codec starts with, for codecs whose decoder does not check them itself. */
const CODEC_MAGIC: Record<number, { name: string; magic: number[] }> = {
  50000: { name: "zstd", magic: [0x28, 0xb5, 0x2f, 0xfd] },
  50001: { name: "WebP", magic: [0x52, 0x49, 0x46, 0x46] },
};

/**
 * Throws INVALID_IMAGE when a block does not start the way its Compression tag says: the zstd
 * decoder turns raw bytes into zeros without a word, so a wrong tag would read as black pixels.
 */
function checkCodecMagic(ifd: IfdInfo, index: number, raw: Uint8Array, fileName: string): void {
  const codec = CODEC_MAGIC[ifd.compression];
  if (!codec || codec.magic.every((b, i) => raw[i] === b)) return;
  throw invalidImage(
    `Compression=${ifd.compression} (${codec.name}) but ${ifd.tiled ? "tile" : "strip"} ${index} of page ${ifd.index} is not ${codec.name} data`,
    { where: fileName },
  );
}
