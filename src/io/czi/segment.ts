/**
 * CZI segment headers (32 bytes: 16-byte ASCII id, allocated size, used size) and the
 * checked read of a whole segment's data. Every segment read by the reader goes through
 * here, so its position and size are checked against the file before any data is read.
 */
import type { ByteSource } from "../../bytes/byte-source.js";
import { invalidImage } from "../../errors.js";
import { LeReader, at } from "./binary.js";

export const SEGMENT_HEADER_SIZE = 32;

export type SegmentId =
  | "ZISRAWFILE"
  | "ZISRAWDIRECTORY"
  | "ZISRAWSUBBLOCK"
  | "ZISRAWMETADATA"
  | "ZISRAWATTDIR"
  | "ZISRAWATTACH"
  | "DELETED";

export interface SegmentHeader {
  id: string;
  /** File offset of the 32-byte header. */
  offset: number;
  allocatedSize: number;
  usedSize: number;
  /** File offset of the segment data (header + 32). */
  dataOffset: number;
  /** Bytes of data that count: `usedSize`, or `allocatedSize` when `usedSize` is 0 (old files). */
  dataSize: number;
}

/** Parse a segment header from its 32 bytes. */
export function parseSegmentHeader(bytes: Uint8Array, offset: number, where: string): SegmentHeader {
  const r = new LeReader(bytes, where);
  const id = r.ascii(0, 16, "segment id");
  const allocatedSize = r.i64(16, "AllocatedSize");
  const usedSize = r.i64(24, "UsedSize");
  if (allocatedSize < 0 || usedSize < 0) {
    throw invalidImage(`segment '${id}' has a negative size (allocated ${allocatedSize}, used ${usedSize})`, { where });
  }
  if (usedSize > allocatedSize) {
    throw invalidImage(`segment '${id}' uses ${usedSize} bytes but allocates only ${allocatedSize}`, { where });
  }
  return {
    id,
    offset,
    allocatedSize,
    usedSize,
    dataOffset: offset + SEGMENT_HEADER_SIZE,
    dataSize: usedSize === 0 ? allocatedSize : usedSize,
  };
}

/**
 * Read and check the header of the segment at `offset`, which must have id `expected`.
 * Checks that the offset lies in the file and that the segment's data fits in the file.
 */
export async function readSegmentHeader(source: ByteSource, offset: number, expected: SegmentId, what: string): Promise<SegmentHeader> {
  const where = at(source.name, what, offset);
  if (!Number.isSafeInteger(offset) || offset < 0 || offset + SEGMENT_HEADER_SIZE > source.size) {
    throw invalidImage(`segment position ${offset} lies outside the file (${source.size} bytes)`, { where });
  }
  const header = parseSegmentHeader(await source.read(offset, SEGMENT_HEADER_SIZE), offset, where);
  if (header.id !== expected) {
    throw invalidImage(`expected a ${expected} segment here but found '${header.id}'`, { where, allowed: expected });
  }
  if (header.dataOffset + header.dataSize > source.size) {
    throw invalidImage(
      `${expected} segment needs bytes ${header.dataOffset}..${header.dataOffset + header.dataSize} but the file has only ${source.size} (truncated)`,
      { where },
    );
  }
  return header;
}
