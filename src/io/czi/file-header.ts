/**
 * The `ZISRAWFILE` header at offset 0: version, file GUIDs, multi-part file number and the
 * positions of the subblock directory, the metadata and the attachment directory.
 */
import type { ByteSource } from "../../bytes/byte-source.js";
import { invalidImage, unsupported } from "../../errors.js";
import { LeReader, at } from "./binary.js";
import { SEGMENT_HEADER_SIZE, parseSegmentHeader } from "./segment.js";
import { bytesToHex as guid } from "../../bytes/hex.js";

export interface CziFileHeader {
  major: number;
  minor: number;
  primaryFileGuid: string;
  fileGuid: string;
  filePart: number;
  directoryPosition: number;
  /** 0 when the file has no metadata segment. */
  metadataPosition: number;
  updatePending: boolean;
  /** 0 when the file has no attachment directory. */
  attachmentDirectoryPosition: number;
}

const FILE_HEADER_DATA_SIZE = 512;

export async function readFileHeader(source: ByteSource): Promise<CziFileHeader> {
  const where = at(source.name, "file header", 0);
  const total = SEGMENT_HEADER_SIZE + FILE_HEADER_DATA_SIZE;
  if (source.size < total) {
    throw invalidImage(`not a CZI file: only ${source.size} bytes, a CZI file header alone has ${total}`, { where: source.name });
  }
  const bytes = await source.read(0, total);
  const id = new LeReader(bytes, where).ascii(0, 16, "segment id");
  if (id !== "ZISRAWFILE") {
    throw invalidImage(`not a CZI file: it starts with '${id}' instead of 'ZISRAWFILE'`, { where: source.name });
  }
  parseSegmentHeader(bytes.subarray(0, SEGMENT_HEADER_SIZE), 0, where);
  const r = new LeReader(bytes.subarray(SEGMENT_HEADER_SIZE), where);
  const header: CziFileHeader = {
    major: r.i32(0, "Major"),
    minor: r.i32(4, "Minor"),
    primaryFileGuid: guid(r.slice(16, 16)),
    fileGuid: guid(r.slice(32, 16)),
    filePart: r.i32(48, "FilePart"),
    directoryPosition: r.i64(52, "SubBlockDirectoryPosition"),
    metadataPosition: r.i64(60, "MetadataPosition"),
    updatePending: r.i32(68, "updatePending") !== 0,
    attachmentDirectoryPosition: r.i64(72, "AttachmentDirectoryPosition"),
  };
  if (header.major !== 1) {
    throw unsupported(`CZI version ${header.major}.${header.minor} is not supported`, { where, allowed: "version 1.x" });
  }
  if (header.filePart !== 0) {
    throw unsupported(`this is part ${header.filePart} of a multi-part CZI file; multi-part files are not supported`, { where });
  }
  for (const [name, pos] of [
    ["SubBlockDirectoryPosition", header.directoryPosition],
    ["MetadataPosition", header.metadataPosition],
    ["AttachmentDirectoryPosition", header.attachmentDirectoryPosition],
  ] as const) {
    if (pos < 0 || pos >= source.size || (pos > 0 && pos < total)) {
      throw invalidImage(`${name} = ${pos} lies outside the file (${source.size} bytes)`, { where });
    }
  }
  if (header.directoryPosition === 0) {
    throw invalidImage("the file has no subblock directory (SubBlockDirectoryPosition = 0)", { where });
  }
  return header;
}
