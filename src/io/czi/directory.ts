/**
 * The subblock directory (`ZISRAWDIRECTORY`): one "DV" entry per subblock with its pixel
 * type, compression, file position and dimension entries (X, Y, C, Z, T, S, M, B, H, …).
 * Parsed once at open into `SubblockEntry` records; everything else indexes these.
 * The same DV parser reads the entry copy inside each subblock segment.
 */
import type { ByteSource } from "../../bytes/byte-source.js";
import { invalidImage, unsupported } from "../../errors.js";
import { LeReader, at } from "./binary.js";
import { pixelTypeByCode } from "./enums.js";
import { MAX_DIMENSION_COUNT, MAX_DIRECTORY_BYTES, MAX_LOGICAL_EXTENT } from "./limits.js";
import { SEGMENT_HEADER_SIZE, readSegmentHeader } from "./segment.js";

/** One dimension entry of a directory entry, as stored. */
interface CziDimensionEntry {
  /** One character: X, Y, C, Z, T, S, M, B, H, V, R, I … */
  dimension: string;
  start: number;
  size: number;
  startCoordinate: number;
  storedSize: number;
}

/** One subblock as the directory describes it. */
export interface SubblockEntry {
  /** Position in the directory (0-based): used in messages as `subblock #index`. */
  index: number;
  pixelType: number;
  /** CZI pixel type name, e.g. `Gray16`, or `unknown (7)`. */
  pixelTypeName: string;
  compression: number;
  /** Absolute file offset of the `ZISRAWSUBBLOCK` segment header. */
  filePosition: number;
  filePart: number;
  /** Legacy pyramid-type byte (0 none, 1 single, 2 multi); informative only. */
  pyramidType: number;
  dimensions: CziDimensionEntry[];
  /** Logical rectangle in raw subblock coordinates (X/Y `Start`, `Size`). */
  x: number;
  y: number;
  width: number;
  height: number;
  /** Stored pixel size (smaller than width/height for pyramid subblocks). */
  storedWidth: number;
  storedHeight: number;
  /** Mosaic tile index, when the entry has an M dimension. */
  m?: number;
  /** `Start` of every dimension other than X, Y, M (C, Z, T, S, B, H …). */
  coords: Record<string, number>;
  /** Bytes this entry takes in the directory (32 + 20 × dimensions). */
  entrySize: number;
}

const DV_FIXED_SIZE = 32;
const DIMENSION_ENTRY_SIZE = 20;
const DIRECTORY_HEADER_SIZE = 128;

/** Parse one DV entry at `offset` of `r`; `index` and `where` are for messages. */
export function parseDvEntry(r: LeReader, offset: number, index: number): SubblockEntry {
  const where = r.where;
  const schema = r.ascii(offset, 2, "SchemaType");
  if (schema === "DE") {
    throw unsupported(`subblock #${index}: directory entries of schema "DE" are not supported`, { where, allowed: "DV" });
  }
  if (schema !== "DV") {
    throw invalidImage(`subblock #${index}: directory entry has schema '${schema}' instead of "DV" (corrupt directory)`, { where });
  }
  const pixelType = r.i32(offset + 2, "PixelType");
  const filePosition = r.i64(offset + 6, "FilePosition");
  const filePart = r.i32(offset + 14, "FilePart");
  const compression = r.i32(offset + 18, "Compression");
  const pyramidType = r.u8(offset + 22, "PyramidType");
  const count = r.i32(offset + 28, "DimensionCount");
  if (count < 2 || count > MAX_DIMENSION_COUNT) {
    throw invalidImage(`subblock #${index}: DimensionCount is ${count}`, { where, allowed: `2..${MAX_DIMENSION_COUNT}` });
  }
  const dimensions: CziDimensionEntry[] = [];
  const coords: Record<string, number> = {};
  const seen = new Set<string>();
  let xDim: CziDimensionEntry | undefined;
  let yDim: CziDimensionEntry | undefined;
  let m: number | undefined;
  for (let k = 0; k < count; k++) {
    const p = offset + DV_FIXED_SIZE + DIMENSION_ENTRY_SIZE * k;
    const code = r.u8(p, "Dimension");
    if (code < 0x21 || code > 0x7e) {
      throw invalidImage(`subblock #${index}: dimension entry ${k} has an invalid name (byte 0x${code.toString(16)})`, { where });
    }
    const dim: CziDimensionEntry = {
      dimension: String.fromCharCode(code),
      start: r.i32(p + 4, "Start"),
      size: r.i32(p + 8, "Size"),
      startCoordinate: r.f32(p + 12, "StartCoordinate"),
      storedSize: r.i32(p + 16, "StoredSize"),
    };
    if (seen.has(dim.dimension)) {
      throw invalidImage(`subblock #${index}: dimension ${dim.dimension} appears twice`, { where });
    }
    seen.add(dim.dimension);
    dimensions.push(dim);
    if (dim.dimension === "X") xDim = dim;
    else if (dim.dimension === "Y") yDim = dim;
    else if (dim.dimension === "M") m = dim.start;
    else coords[dim.dimension] = dim.start;
  }
  if (!xDim || !yDim) {
    throw invalidImage(`subblock #${index}: has no ${xDim ? "Y" : "X"} dimension`, { where });
  }
  for (const d of [xDim, yDim]) {
    if (d.size < 1 || d.size > MAX_LOGICAL_EXTENT || d.storedSize < 1 || d.storedSize > d.size) {
      throw invalidImage(`subblock #${index}: ${d.dimension} has size ${d.size} and stored size ${d.storedSize}`, {
        where,
        allowed: "1 <= stored size <= size",
      });
    }
  }
  return {
    index,
    pixelType,
    pixelTypeName: pixelTypeByCode(pixelType)?.name ?? `unknown (${pixelType})`,
    compression,
    filePosition,
    filePart,
    pyramidType,
    dimensions,
    x: xDim.start,
    y: yDim.start,
    width: xDim.size,
    height: yDim.size,
    storedWidth: xDim.storedSize,
    storedHeight: yDim.storedSize,
    ...(m === undefined ? {} : { m }),
    coords,
    entrySize: DV_FIXED_SIZE + DIMENSION_ENTRY_SIZE * count,
  };
}

/**
 * Throws INVALID_IMAGE when an uncompressed subblock's stored pixels (stored width × height ×
 * bytes per pixel) cannot fit between its position and the end of the file: X = 2^31−1 in a
 * file of a few KB is refused here, before any plan or allocation uses it.
 */
function checkStoredFits(entry: SubblockEntry, fileSize: number, where: string): void {
  const bytesPerPixel = pixelTypeByCode(entry.pixelType)?.bytesPerPixel;
  if (entry.compression !== 0 || bytesPerPixel === undefined) return;
  const need = entry.storedWidth * entry.storedHeight * bytesPerPixel;
  const left = fileSize - entry.filePosition - SEGMENT_HEADER_SIZE;
  if (need > left) {
    throw invalidImage(
      `subblock #${entry.index}: ${entry.storedWidth}×${entry.storedHeight} uncompressed ${entry.pixelTypeName} pixels need ${need} bytes but the file has ${left} after its position`,
      { where },
    );
  }
}

/** Read the directory segment at `position` and parse all its entries. */
export async function readDirectory(source: ByteSource, position: number): Promise<SubblockEntry[]> {
  const seg = await readSegmentHeader(source, position, "ZISRAWDIRECTORY", "subblock directory");
  const where = at(source.name, "subblock directory", position);
  if (seg.dataSize < DIRECTORY_HEADER_SIZE) {
    throw invalidImage(`directory segment has only ${seg.dataSize} bytes (needs at least ${DIRECTORY_HEADER_SIZE})`, { where });
  }
  if (seg.dataSize > MAX_DIRECTORY_BYTES) {
    throw unsupported(`directory segment of ${seg.dataSize} bytes is larger than the ${MAX_DIRECTORY_BYTES}-byte limit`, { where });
  }
  const r = new LeReader(await source.read(seg.dataOffset, seg.dataSize), where);
  const count = r.i32(0, "EntryCount");
  const maxEntries = Math.floor((seg.dataSize - DIRECTORY_HEADER_SIZE) / (DV_FIXED_SIZE + 2 * DIMENSION_ENTRY_SIZE));
  if (count < 0 || count > maxEntries) {
    throw invalidImage(`directory claims ${count} entries but its ${seg.dataSize} bytes hold at most ${maxEntries}`, { where });
  }
  if (count === 0) throw invalidImage("the file has no subblocks (empty directory)", { where });
  const entries: SubblockEntry[] = [];
  const positions = new Map<number, number>();
  let p = DIRECTORY_HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    const entry = parseDvEntry(r, p, i);
    p += entry.entrySize;
    if (entry.filePart !== 0) {
      throw unsupported(`subblock #${i} lives in file part ${entry.filePart}; multi-part CZI files are not supported`, { where });
    }
    if (entry.filePosition < 0 || entry.filePosition + SEGMENT_HEADER_SIZE > source.size) {
      throw invalidImage(`subblock #${i}: FilePosition ${entry.filePosition} lies outside the file (${source.size} bytes)`, { where });
    }
    checkStoredFits(entry, source.size, where);
    const other = positions.get(entry.filePosition);
    if (other !== undefined) {
      throw invalidImage(`subblocks #${other} and #${i} both point at file offset ${entry.filePosition}`, { where });
    }
    positions.set(entry.filePosition, i);
    entries.push(entry);
  }
  return entries;
}
