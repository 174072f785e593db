/**
 * Chunk compressors for the image sinks: a `Compressor` turns raw tile bytes into a zlib
 * stream (RFC 1950), which is both TIFF "Adobe Deflate" (Compression=8) and numcodecs'
 * `zlib` codec in Zarr. The default here is fflate (pure JS, runs in a browser); Node code
 * injects `node:zlib` instead (`src/io/node/zlib-compressor.ts`), which is faster and runs on
 * libuv's thread pool. Isomorphic: no `node:*` imports.
 */
import { zlibSync } from "fflate";

/** Compress one tile/chunk. May run concurrently for the tiles of one row. */
export type Compressor = (raw: Uint8Array) => Promise<Uint8Array>;

/** zlib level 0..9 → an fflate-based `Compressor`. */
export function fflateZlibCompressor(level = 6): Compressor {
  const lvl = Math.max(0, Math.min(9, Math.round(level))) as 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
  return async (raw) => zlibSync(raw, { level: lvl });
}
