/**
 * Hard limits of the CZI reader: every size or count read from a file is checked against
 * these before anything is allocated or looped over, so a corrupt or hostile file ends in a
 * clear error instead of a hang or a huge allocation. Each can be raised per file through
 * `CziOpenOptions` where a real file might need it.
 */

const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** libCZI rejects directory entries with more dimensions than this. */
export const MAX_DIMENSION_COUNT = 40;

/** Largest decoded subblock (stored width × height × bytes per pixel) we allocate. */
export const DEFAULT_MAX_SUBBLOCK_BYTES = 1024 * MiB;

/** Largest region (`readRegion` / `readLevel` output) we allocate. */
export const DEFAULT_MAX_REGION_BYTES = 1024 * MiB;

/** Largest subblock directory segment we read in one go (≈ 2–5 million subblocks). */
export const MAX_DIRECTORY_BYTES = 512 * MiB;

/** Largest metadata XML we read; bigger ones are skipped with a warning. */
export const MAX_METADATA_XML_BYTES = 256 * MiB;

/** Largest attachment directory we read (128 bytes an entry). */
export const MAX_ATTACHMENT_DIRECTORY_BYTES = 64 * MiB;

/** Default bytes of decoded subblocks kept in the LRU cache. */
export const DEFAULT_CACHE_BYTES = 64 * MiB;

/**
 * Uncompressed subblocks larger than this are not decoded whole: only the rows a region
 * needs are read (bounded memory on files with one huge uncompressed subblock).
 */
export const DEFAULT_PARTIAL_READ_BYTES = 16 * MiB;

/** Largest logical extent of a subblock in X or Y (2^31 - 1 fits the int32 field anyway). */
export const MAX_LOGICAL_EXTENT = 2 ** 31 - 1;
