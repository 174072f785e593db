/**
 * Subblock segments (`ZISRAWSUBBLOCK`): locate a subblock's metadata XML, pixel data and
 * attachment inside its segment, after checking the segment against the file, against the
 * next known segment (no overlap) and against its directory entry (the copy inside the
 * segment must agree). Reading and decoding the pixel data is in `decode.ts`.
 */
import type { ByteSource } from "../../bytes/byte-source.js";
import { invalidImage } from "../../errors.js";
import { LeReader, at } from "./binary.js";
import { parseDvEntry, type SubblockEntry } from "./directory.js";
import { MAX_DIMENSION_COUNT } from "./limits.js";
import { SEGMENT_HEADER_SIZE, parseSegmentHeader } from "./segment.js";

export interface SubblockLayout {
  entry: SubblockEntry;
  /** File offsets and sizes of the three parts. */
  metadataOffset: number;
  metadataSize: number;
  dataOffset: number;
  dataSize: number;
  attachmentSize: number;
}

/** Fixed part of the subblock data: sizes (16) + largest DV entry, or 256 when that is more. */
const MAX_PREFIX = Math.max(16 + 32 + 20 * MAX_DIMENSION_COUNT, 256);

export function subblockWhere(fileName: string, entry: SubblockEntry): string {
  return at(fileName, `subblock #${entry.index}`, entry.filePosition);
}

/**
 * Read the header of the subblock segment of `entry` and locate its parts.
 * `nextSegmentStart` is the file offset of the next known segment after this one (or the
 * file size): the segment must end before it.
 */
export async function readSubblockLayout(source: ByteSource, entry: SubblockEntry, nextSegmentStart: number): Promise<SubblockLayout> {
  const where = subblockWhere(source.name, entry);
  const pos = entry.filePosition;
  const length = Math.min(SEGMENT_HEADER_SIZE + MAX_PREFIX, source.size - pos);
  const bytes = await source.read(pos, length);
  const seg = parseSegmentHeader(bytes.subarray(0, SEGMENT_HEADER_SIZE), pos, where);
  if (seg.id !== "ZISRAWSUBBLOCK") {
    throw invalidImage(`expected a ZISRAWSUBBLOCK segment but found '${seg.id}'`, { where });
  }
  const end = seg.dataOffset + seg.allocatedSize;
  if (end > nextSegmentStart) {
    const what = nextSegmentStart >= source.size ? `the end of the file (${source.size})` : `the next segment at ${nextSegmentStart}`;
    throw invalidImage(`subblock segment runs to ${end}, past ${what} (truncated or overlapping)`, { where });
  }
  const r = new LeReader(bytes.subarray(SEGMENT_HEADER_SIZE, SEGMENT_HEADER_SIZE + Math.min(seg.dataSize, MAX_PREFIX)), where);
  const metadataSize = r.i32(0, "MetadataSize");
  const attachmentSize = r.i32(4, "AttachmentSize");
  const dataSize = r.i64(8, "DataSize");
  if (metadataSize < 0 || attachmentSize < 0 || dataSize < 0) {
    throw invalidImage(`negative part size (metadata ${metadataSize}, data ${dataSize}, attachment ${attachmentSize})`, { where });
  }
  const copy = parseDvEntry(r, 16, entry.index);
  const mismatch = compareEntries(entry, copy);
  if (mismatch) throw invalidImage(`the subblock's own header disagrees with the directory: ${mismatch}`, { where });
  const prefix = Math.max(16 + copy.entrySize, 256);
  if (prefix + metadataSize + dataSize > seg.dataSize) {
    throw invalidImage(
      `header (${prefix}) + metadata (${metadataSize}) + data (${dataSize}) bytes exceed the segment's ${seg.dataSize} bytes`,
      { where },
    );
  }
  return {
    entry,
    metadataOffset: seg.dataOffset + prefix,
    metadataSize,
    dataOffset: seg.dataOffset + prefix + metadataSize,
    dataSize,
    attachmentSize,
  };
}

function compareEntries(a: SubblockEntry, b: SubblockEntry): string | undefined {
  const fields = ["pixelType", "compression", "x", "y", "width", "height", "storedWidth", "storedHeight", "m"] as const;
  for (const f of fields) {
    if (a[f] !== b[f]) return `${f} ${String(a[f])} in the directory, ${String(b[f])} in the subblock`;
  }
  return undefined;
}

/** The subblock's own XML metadata (`<METADATA>…`), or "" when it has none. */
export async function readSubblockMetadataXml(source: ByteSource, layout: SubblockLayout): Promise<string> {
  if (layout.metadataSize === 0) return "";
  const bytes = await source.read(layout.metadataOffset, layout.metadataSize);
  return new TextDecoder("utf-8", { fatal: false }).decode(bytes).replace(/\0+$/, "");
}
