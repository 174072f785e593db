/**
 * zstd decoding for CZI subblocks (compression zstd0 and zstd1): checks the frame header
 * first (magic, no dictionary, content size present and equal to the size the subblock
 * needs — as libCZI requires), walks the block headers to find the end of the frame (so
 * truncated data fails before decoding), then decodes with `fzstd`, which then allocates
 * exactly that content size: a corrupt or hostile frame can never make us allocate more.
 * (`fzstd` is the installed pure-JS decoder; this module only adds the checks.)
 */
import { decompress } from "fzstd";
import { invalidImage, unsupported } from "../../errors.js";

const MAGIC = 0xfd2fb528;

interface FrameHeader {
  headerSize: number;
  contentSize: number | undefined;
  hasChecksum: boolean;
}

function parseFrameHeader(data: Uint8Array, where: string): FrameHeader {
  if (data.length < 6) throw invalidImage(`zstd data is only ${data.length} bytes (truncated)`, { where });
  const magic = (data[0]! | (data[1]! << 8) | (data[2]! << 16) | (data[3]! << 24)) >>> 0;
  if (magic !== MAGIC) {
    throw invalidImage(`zstd data does not start with a zstd frame (magic 0x${magic.toString(16)})`, { where });
  }
  const fhd = data[4]!;
  const fcsFlag = fhd >> 6;
  const singleSegment = (fhd >> 5) & 1;
  if (fhd & 0x08) throw invalidImage("zstd frame header has its reserved bit set (corrupt)", { where });
  const hasChecksum = ((fhd >> 2) & 1) === 1;
  const dictBytes = [0, 1, 2, 4][fhd & 3]!;
  let p = 5 + (singleSegment ? 0 : 1);
  let dictId = 0;
  for (let i = 0; i < dictBytes; i++) dictId |= data[p + i]! << (8 * i);
  p += dictBytes;
  if (dictId !== 0) throw unsupported(`zstd frame needs dictionary ${dictId >>> 0}`, { where });
  const fcsBytes = fcsFlag === 0 ? singleSegment : 1 << fcsFlag;
  if (p + fcsBytes > data.length) throw invalidImage("zstd frame header is truncated", { where });
  let contentSize: number | undefined;
  if (fcsBytes > 0) {
    let v = 0;
    for (let i = fcsBytes - 1; i >= 0; i--) v = v * 256 + data[p + i]!;
    contentSize = fcsBytes === 2 ? v + 256 : v;
  }
  return { headerSize: p + fcsBytes, contentSize, hasChecksum };
}

/** Byte length of the frame (header, blocks, checksum); errors when the data ends early. */
function frameLength(data: Uint8Array, header: FrameHeader, where: string): number {
  let p = header.headerSize;
  for (;;) {
    if (p + 3 > data.length) throw invalidImage("zstd data ends in the middle of the frame (truncated)", { where });
    const h = data[p]! | (data[p + 1]! << 8) | (data[p + 2]! << 16);
    const last = h & 1;
    const type = (h >> 1) & 3;
    const size = h >>> 3;
    p += 3;
    if (type === 3) throw invalidImage("zstd frame has a block of reserved type 3 (corrupt)", { where });
    p += type === 1 ? 1 : size; // an RLE block stores one byte
    if (p > data.length) throw invalidImage("zstd data ends in the middle of a block (truncated)", { where });
    if (last) break;
  }
  if (header.hasChecksum) p += 4;
  if (p > data.length) throw invalidImage("zstd frame checksum is missing (truncated)", { where });
  return p;
}

/**
 * Decode one zstd frame whose content must be exactly `expectedSize` bytes.
 * Bytes after the frame are ignored.
 */
export function zstdDecodeExact(data: Uint8Array, expectedSize: number, where: string): Uint8Array {
  const header = parseFrameHeader(data, where);
  if (header.contentSize === undefined) {
    throw invalidImage("zstd frame does not state its content size (CZI requires it)", { where });
  }
  if (header.contentSize !== expectedSize) {
    throw invalidImage(
      `zstd frame holds ${header.contentSize} bytes but the subblock needs ${expectedSize} (stored width × height × bytes per pixel)`,
      { where },
    );
  }
  const length = frameLength(data, header, where);
  // No output buffer is passed on purpose: fzstd then allocates exactly the (checked) content
  // size and decodes into it; passing one makes fzstd stringify it (`w == 1`), which is slow.
  let out: Uint8Array;
  try {
    out = decompress(data.subarray(0, length));
  } catch (e) {
    throw invalidImage(`zstd data is corrupt (${e instanceof Error ? e.message : String(e)})`, { where, cause: e });
  }
  if (out.length !== expectedSize) {
    throw invalidImage(`zstd frame decoded to ${out.length} bytes instead of ${expectedSize} (corrupt)`, { where });
  }
  return out;
}
