/**
 * Subblock pixel decoding: raw bytes of one subblock → typed samples at its stored size.
 * Uncompressed data is used as is; zstd0 is one zstd frame; zstd1 is a 1- or 3-byte header
 * (optionally announcing hi-lo byte packing) followed by one zstd frame. JPEG-XR goes
 * through jxrlib compiled to WebAssembly (`jxr.ts`, asynchronous: `decodeJxrSubblock`). Other
 * codecs (JPEG, LZW, camera raw …) are refused with an error that names the subblock and the
 * codec: never garbage pixels.
 */
import { invalidImage, unsupported } from "../../errors.js";
import { allocSamples, type SampleArray, type SampleType } from "../types.js";
import type { SubblockEntry } from "./directory.js";
import { Compression, READABLE_COMPRESSIONS, READABLE_PIXEL_TYPES, compressionName, pixelTypeByCode, type CziPixelType } from "./enums.js";
import { decodeJxr, type JxrDecode } from "./jxr.js";
import { zstdDecodeExact } from "./zstd.js";

/** The readable pixel type of `entry`, or an error naming the subblock. */
export function readablePixelType(entry: SubblockEntry, where: string): CziPixelType & { sampleType: SampleType } {
  const pt = pixelTypeByCode(entry.pixelType);
  if (!pt) {
    throw invalidImage(`unknown pixel type code ${entry.pixelType}`, { where, allowed: READABLE_PIXEL_TYPES.join(", ") });
  }
  if (!pt.sampleType) {
    throw unsupported(`pixel type ${pt.name} is not supported (${pt.unsupportedReason})`, {
      where,
      allowed: READABLE_PIXEL_TYPES.join(", "),
    });
  }
  return pt as CziPixelType & { sampleType: SampleType };
}

/** Decoded byte size of a subblock: stored width × stored height × bytes per pixel. */
export function decodedByteSize(entry: SubblockEntry, pt: CziPixelType): number {
  return entry.storedWidth * entry.storedHeight * pt.bytesPerPixel;
}

/** Error for a compression we cannot decode, naming the subblock and the codec. */
export function unsupportedCompression(entry: SubblockEntry, where: string): Error {
  const name = compressionName(entry.compression);
  const hint =
    entry.compression === Compression.jpeg
      ? "; re-save the image in ZEN with zstd compression (or uncompressed), or convert it with another tool"
      : "";
  return unsupported(`${name}-compressed subblocks are not supported (compression code ${entry.compression})${hint}`, {
    where,
    allowed: READABLE_COMPRESSIONS,
  });
}

/** Little-endian bytes → typed array of `type` (copies when the bytes are not aligned). */
export function bytesToSamples(bytes: Uint8Array, type: SampleType): SampleArray {
  if (type === "uint8") return bytes;
  const template = allocSamples(type, 0);
  const bps = template.BYTES_PER_ELEMENT;
  const count = bytes.byteLength / bps;
  let aligned = bytes;
  if (bytes.byteOffset % bps !== 0) {
    aligned = new Uint8Array(bytes.byteLength);
    aligned.set(bytes);
  }
  const ctor = template.constructor as new (buffer: ArrayBufferLike, byteOffset: number, length: number) => SampleArray;
  return new ctor(aligned.buffer, aligned.byteOffset, count);
}

/** Undo hi-lo byte packing: low bytes of all 16-bit words first, then all high bytes. */
export function unpackHiLo(packed: Uint8Array): Uint16Array {
  const half = packed.length >>> 1;
  const out = new Uint16Array(half);
  for (let i = 0; i < half; i++) out[i] = packed[i]! | (packed[i + half]! << 8);
  return out;
}

/**
 * Decode the pixel data of one subblock. `data` is the subblock's `DataSize` bytes.
 * Returns `storedWidth × storedHeight × samplesPerPixel` samples.
 */
export function decodeSubblock(entry: SubblockEntry, data: Uint8Array, where: string): SampleArray {
  const pt = readablePixelType(entry, where);
  const size = decodedByteSize(entry, pt);
  switch (entry.compression) {
    case Compression.uncompressed: {
      if (data.length < size) {
        throw invalidImage(
          `uncompressed subblock has ${data.length} data bytes but ${entry.storedWidth}×${entry.storedHeight} ${pt.name} needs ${size}`,
          { where },
        );
      }
      return bytesToSamples(data.subarray(0, size), pt.sampleType);
    }
    case Compression.zstd0:
      return bytesToSamples(zstdDecodeExact(data, size, where), pt.sampleType);
    case Compression.zstd1: {
      const headerSize = data[0];
      let hiLo = false;
      if (headerSize === 3) {
        if (data.length < 3 || data[1] !== 1) {
          throw invalidImage(`zstd1 header is invalid (chunk type ${String(data[1])}, expected 1)`, { where });
        }
        hiLo = (data[2]! & 1) === 1;
      } else if (headerSize !== 1) {
        throw invalidImage(`zstd1 header is invalid (header size byte ${String(headerSize)})`, { where, allowed: "1 or 3" });
      }
      const bytes = zstdDecodeExact(data.subarray(headerSize), size, where);
      if (!hiLo) return bytesToSamples(bytes, pt.sampleType);
      if (pt.name !== "Gray16" && pt.name !== "Bgr48") {
        throw invalidImage(`zstd1 hi-lo byte packing is set on a ${pt.name} subblock`, { where, allowed: "Gray16, Bgr48" });
      }
      return unpackHiLo(bytes);
    }
    default:
      throw unsupportedCompression(entry, where);
  }
}

/** CZI pixel types that JPEG-XR subblocks can hold (jxrlib's formats mapped in jxr.ts). */
const JXR_PIXEL_TYPES = ["Gray8", "Gray16", "Gray32Float", "Bgr24", "Bgr48"];

/**
 * Decode a JPEG-XR subblock (compression 4). Returns `storedWidth × storedHeight × samples`
 * samples like `decodeSubblock`. The directory entry is authoritative (libCZI's resolution
 * protocol): a bitmap whose decoded size differs from the stored size is cropped or padded
 * with zeros, keeping its top-left corner; a different pixel type is an error.
 */
export async function decodeJxrSubblock(
  entry: SubblockEntry,
  data: Uint8Array,
  where: string,
  maxBytes?: number,
  decode: JxrDecode = decodeJxr,
): Promise<SampleArray> {
  const pt = readablePixelType(entry, where);
  if (!JXR_PIXEL_TYPES.includes(pt.name)) {
    throw unsupported(`JPEG-XR subblocks of pixel type ${pt.name} are not supported`, { where, allowed: JXR_PIXEL_TYPES.join(", ") });
  }
  let image: Awaited<ReturnType<JxrDecode>>;
  try {
    image = await decode(data, maxBytes);
  } catch (e) {
    throw invalidImage(`JPEG-XR data cannot be decoded: ${e instanceof Error ? e.message : String(e)}`, { where });
  }
  if (image.pixelType !== pt.code) {
    const actual = pixelTypeByCode(image.pixelType)?.name ?? String(image.pixelType);
    throw invalidImage(`JPEG-XR data holds ${actual} pixels but the subblock says ${pt.name}`, { where });
  }
  return bytesToSamples(fitToStoredSize(image, entry, pt.bytesPerPixel), pt.sampleType);
}

/** Crop or zero-pad a decoded bitmap to the entry's stored size, top-left corner fixed. */
function fitToStoredSize(image: { width: number; height: number; bytes: Uint8Array }, entry: SubblockEntry, bpp: number): Uint8Array {
  const { storedWidth: w, storedHeight: h } = entry;
  if (image.width === w && image.height === h) return image.bytes;
  const out = new Uint8Array(w * h * bpp);
  const rowBytes = Math.min(image.width, w) * bpp;
  for (let y = 0; y < Math.min(image.height, h); y++) {
    const from = y * image.width * bpp;
    out.set(image.bytes.subarray(from, from + rowBytes), y * w * bpp);
  }
  return out;
}
