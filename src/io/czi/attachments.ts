/**
 * Attachments: the attachment directory (`ZISRAWATTDIR`, 128-byte "A1" entries naming each
 * attachment: Thumbnail, TimeStamps, EventList, LookupTables …) and reading one attachment's
 * payload (`ZISRAWATTACH`). Attachments never matter for pixels.
 */
import type { ByteSource } from "../../bytes/byte-source.js";
import { invalidImage, unsupported } from "../../errors.js";
import { LeReader, at } from "./binary.js";
import { GiB, MAX_ATTACHMENT_DIRECTORY_BYTES } from "./limits.js";
import { readSegmentHeader } from "./segment.js";
import { bytesToHex as hex } from "../../bytes/hex.js";

export interface CziAttachment {
  index: number;
  /** e.g. `Thumbnail`, `TimeStamps`, `EventList`, `LookupTables`. */
  name: string;
  /** e.g. `JPG`, `CZTIMS`, `CZEVL`, `CZLUT`. */
  contentType: string;
  contentGuid: string;
  filePosition: number;
  /** Payload bytes (from the attachment segment). */
  size: number;
}

const ATTDIR_HEADER_SIZE = 256;
const ATTACHMENT_ENTRY_SIZE = 128;
const ATTACHMENT_HEADER_SIZE = 256;

/** Payload position and size of the attachment segment at `position`. */
async function attachmentPayload(source: ByteSource, position: number, what: string): Promise<{ offset: number; size: number }> {
  const seg = await readSegmentHeader(source, position, "ZISRAWATTACH", what);
  const where = at(source.name, what, position);
  const r = new LeReader(await source.read(seg.dataOffset, Math.min(16, seg.dataSize)), where);
  const size = r.i64(0, "DataSize");
  if (size < 0 || ATTACHMENT_HEADER_SIZE + size > seg.dataSize) {
    throw invalidImage(`attachment DataSize ${size} does not fit in the segment's ${seg.dataSize} bytes`, { where });
  }
  return { offset: seg.dataOffset + ATTACHMENT_HEADER_SIZE, size };
}

/** Read the attachment directory at `position` and the size of every attachment. */
export async function readAttachmentDirectory(source: ByteSource, position: number): Promise<CziAttachment[]> {
  const seg = await readSegmentHeader(source, position, "ZISRAWATTDIR", "attachment directory");
  const where = at(source.name, "attachment directory", position);
  if (seg.dataSize > MAX_ATTACHMENT_DIRECTORY_BYTES) {
    throw unsupported(`attachment directory of ${seg.dataSize} bytes is larger than the limit`, { where });
  }
  const r = new LeReader(await source.read(seg.dataOffset, seg.dataSize), where);
  const count = r.i32(0, "EntryCount");
  const max = Math.max(0, Math.floor((seg.dataSize - ATTDIR_HEADER_SIZE) / ATTACHMENT_ENTRY_SIZE));
  if (count < 0 || count > max) {
    throw invalidImage(`attachment directory claims ${count} entries but its ${seg.dataSize} bytes hold at most ${max}`, { where });
  }
  const out: CziAttachment[] = [];
  for (let i = 0; i < count; i++) {
    const p = ATTDIR_HEADER_SIZE + ATTACHMENT_ENTRY_SIZE * i;
    const schema = r.ascii(p, 2, "SchemaType");
    if (schema !== "A1") throw invalidImage(`attachment entry ${i} has schema '${schema}' instead of "A1"`, { where });
    const filePosition = r.i64(p + 12, "FilePosition");
    const name = r.ascii(p + 48, 80, "Name");
    const payload = await attachmentPayload(source, filePosition, `attachment #${i} '${name}'`);
    out.push({
      index: i,
      name,
      contentType: r.ascii(p + 40, 8, "ContentFileType"),
      contentGuid: hex(r.slice(p + 24, 16)),
      filePosition,
      size: payload.size,
    });
  }
  return out;
}

/** The payload bytes of one attachment. */
export async function readAttachmentData(source: ByteSource, attachment: CziAttachment): Promise<Uint8Array> {
  const what = `attachment #${attachment.index} '${attachment.name}'`;
  const payload = await attachmentPayload(source, attachment.filePosition, what);
  if (payload.size > GiB) {
    throw unsupported(`attachment of ${payload.size} bytes is larger than 1 GiB`, {
      where: at(source.name, what, attachment.filePosition),
    });
  }
  return source.read(payload.offset, payload.size);
}
