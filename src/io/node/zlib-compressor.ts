/**
 * `Compressor` and `Inflate` on `node:zlib` (Node only): zlib streams made and read on libuv's
 * thread pool, so the tiles of one row compress (and the tiles of a region inflate) in parallel.
 */
import { deflate, inflate } from "node:zlib";
import { promisify } from "node:util";
import type { Compressor } from "../compress.js";

const deflateAsync = promisify(deflate);

export function nodeZlibCompressor(level = 6): Compressor {
  return async (raw) => {
    const out = await deflateAsync(raw, { level });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  };
}

const inflateAsync = promisify(inflate);

/** zlib-stream decompression on `node:zlib` (TIFF deflate tiles), for `TiffOpenOptions.inflate`. */
export async function nodeInflate(compressed: Uint8Array): Promise<Uint8Array> {
  const out = await inflateAsync(compressed);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
