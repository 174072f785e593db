/**
 * Size limits that protect readers from zip bombs and absurd entries. An entry whose
 * declared or actual uncompressed size exceeds its limit, or a large DEFLATE entry with a
 * compression ratio above `maxRatio`, is refused before anything is inflated. Isomorphic.
 */
import { invalidContainer } from "../errors.js";

export interface ZipLimits {
  /** `model.json` / `<guid>.xml` (default 1 MiB). */
  maxMetadataBytes: number;
  /** The model payload (default 4 GiB). */
  maxModelBytes: number;
  /** Any other entry, e.g. a license or an extracted file (default 256 MiB). */
  maxOtherBytes: number;
  /** Highest allowed uncompressed / compressed ratio for DEFLATE entries (default 1000). */
  maxRatio: number;
  /** The ratio check applies from this uncompressed size on (default 1 MiB). */
  ratioMinBytes: number;
  /** Most entries in one archive (default 10000). */
  maxEntries: number;
}

export const DEFAULT_ZIP_LIMITS: Readonly<ZipLimits> = Object.freeze({
  maxMetadataBytes: 1024 * 1024,
  maxModelBytes: 4 * 1024 * 1024 * 1024,
  maxOtherBytes: 256 * 1024 * 1024,
  maxRatio: 1000,
  ratioMinBytes: 1024 * 1024,
  maxEntries: 10000,
});

export function zipLimits(partial?: Partial<ZipLimits>): ZipLimits {
  return { ...DEFAULT_ZIP_LIMITS, ...(partial ?? {}) };
}

/** Throws when an entry's declared sizes break `maxBytes` or the ratio limit. */
export function checkEntrySize(
  entry: { name: string; size: number; compressedSize: number; method: string },
  maxBytes: number,
  limits: ZipLimits,
  where: string,
): void {
  const at = `${where}: ${entry.name}`;
  if (entry.size > maxBytes) {
    throw invalidContainer(`entry declares ${entry.size} bytes, more than the limit of ${maxBytes} (zip bomb?)`, {
      where: at,
      allowed: `at most ${maxBytes} bytes`,
    });
  }
  if (entry.method === "deflate" && entry.size >= limits.ratioMinBytes) {
    const ratio = entry.size / Math.max(entry.compressedSize, 1);
    if (ratio > limits.maxRatio) {
      throw invalidContainer(
        `entry compresses ${entry.size} bytes into ${entry.compressedSize} (ratio ${Math.round(ratio)}:1, zip bomb?)`,
        { where: at, allowed: `a compression ratio up to ${limits.maxRatio}:1` },
      );
    }
  }
}
