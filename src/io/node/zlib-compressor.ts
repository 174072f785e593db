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

/**
 * zlib-stream decompression on `node:zlib` (TIFF deflate tiles), for `TiffOpenOptions.inflate`.
 * With `expectedBytes` the output buffer is made that large (plus a little), so the tile comes
 * out in one piece: node:zlib's default 16 KiB pieces cost a round trip to the thread pool
 * each and a final concatenation (about 2.5 times the CPU time for a 512² uint16 tile).
 */
export async function nodeInflate(compressed: Uint8Array, expectedBytes?: number): Promise<Uint8Array> {
  const options = expectedBytes && expectedBytes > 0 ? { chunkSize: Math.max(expectedBytes + 64, 16 * 1024) } : {};
  const out = await inflateAsync(compressed, options);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
