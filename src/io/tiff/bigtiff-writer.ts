/**
 * Low-level encoding of tiled BigTIFF: the 16-byte header and one IFD per page (tags, tile
 * offsets and byte counts, ImageDescription). Written by hand because no npm library writes
 * tiled BigTIFF with an OME-XML ImageDescription (geotiff writes stripped classic TIFF only,
 * sharp/libvips has no ImageDescription or SubIFD option).
 *
 * Layout used by `OmeTiffSink`: header, then tile data as it is produced, then all IFDs (each
 * followed by its out-of-line values) at the end; the header's first-IFD offset is patched
 * last. A pyramid's reduced-resolution pages are SubIFDs (tag 330, type IFD8) of their
 * full-resolution page, NewSubfileType 1, outside the main IFD chain, as Bio-Formats writes
 * them. Little-endian ("II", version 43). Isomorphic.
 */

export const TIFF_COMPRESSION_NONE = 1;
export const TIFF_COMPRESSION_DEFLATE = 8;

export interface TiffPage {
  width: number;
  height: number;
  tileWidth: number;
  tileHeight: number;
  bitsPerSample: 8 | 16 | 32;
  /** 1 unsigned integer, 2 signed integer, 3 IEEE float. */
  sampleFormat: 1 | 2 | 3;
  compression: typeof TIFF_COMPRESSION_NONE | typeof TIFF_COMPRESSION_DEFLATE;
  /** Byte offset of each tile, row-major over the tile grid. */
  tileOffsets: ArrayLike<number>;
  tileByteCounts: ArrayLike<number>;
  /** ImageDescription (OME-XML on the first page); ASCII bytes are written as they are. */
  description?: string;
  software?: string;
  /** Reduced-resolution pages of this one (SubIFDs, tag 330): their IFD offsets. */
  subIfds?: ArrayLike<number>;
  /** A reduced-resolution page (NewSubfileType 1); default false. */
  reduced?: boolean;
}

const TYPE_ASCII = 2;
const TYPE_SHORT = 3;
const TYPE_LONG = 4;
const TYPE_LONG8 = 16;
const TYPE_IFD8 = 18;
const TYPE_SIZE: Record<number, number> = { [TYPE_ASCII]: 1, [TYPE_SHORT]: 2, [TYPE_LONG]: 4, [TYPE_LONG8]: 8, [TYPE_IFD8]: 8 };

interface Entry {
  tag: number;
  type: number;
  values: ArrayLike<number> | Uint8Array;
}

/** Header "II", 43, offset size 8, reserved 0, first IFD offset. */
export function encodeBigTiffHeader(firstIfdOffset: number): Uint8Array {
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  out[0] = 0x49;
  out[1] = 0x49;
  view.setUint16(2, 43, true);
  view.setUint16(4, 8, true);
  view.setUint16(6, 0, true);
  view.setBigUint64(8, BigInt(firstIfdOffset), true);
  return out;
}

function asciiBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length + 1); // NUL-terminated
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7e) throw new Error(`TIFF ASCII value has a non-ASCII character at ${i}`);
    bytes[i] = code;
  }
  return bytes;
}

function entriesOf(page: TiffPage): Entry[] {
  const tiles = page.tileOffsets.length;
  const entries: Entry[] = [
    { tag: 254, type: TYPE_LONG, values: [page.reduced ? 1 : 0] }, // NewSubfileType: 0 full resolution, 1 reduced
    { tag: 256, type: TYPE_LONG, values: [page.width] },
    { tag: 257, type: TYPE_LONG, values: [page.height] },
    { tag: 258, type: TYPE_SHORT, values: [page.bitsPerSample] },
    { tag: 259, type: TYPE_SHORT, values: [page.compression] },
    { tag: 262, type: TYPE_SHORT, values: [1] }, // Photometric: min-is-black
  ];
  if (page.description !== undefined) entries.push({ tag: 270, type: TYPE_ASCII, values: asciiBytes(page.description) });
  entries.push(
    { tag: 277, type: TYPE_SHORT, values: [1] }, // SamplesPerPixel
    { tag: 284, type: TYPE_SHORT, values: [1] }, // PlanarConfiguration: contiguous
  );
  if (page.software !== undefined) entries.push({ tag: 305, type: TYPE_ASCII, values: asciiBytes(page.software) });
  entries.push(
    { tag: 322, type: TYPE_LONG, values: [page.tileWidth] },
    { tag: 323, type: TYPE_LONG, values: [page.tileHeight] },
    { tag: 324, type: TYPE_LONG8, values: page.tileOffsets },
    { tag: 325, type: TYPE_LONG8, values: page.tileByteCounts },
  );
  if (page.subIfds?.length) entries.push({ tag: 330, type: TYPE_IFD8, values: page.subIfds });
  entries.push({ tag: 339, type: TYPE_SHORT, values: [page.sampleFormat] });
  if (page.tileByteCounts.length !== tiles) throw new Error("tileOffsets and tileByteCounts differ in length");
  return entries;
}

function valueBytes(e: Entry): number {
  return TYPE_SIZE[e.type]! * e.values.length;
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

/** Bytes the IFD of `page` takes, out-of-line values included (a multiple of 8). */
export function ifdByteSize(page: TiffPage): number {
  const entries = entriesOf(page);
  let size = 8 + entries.length * 20 + 8;
  for (const e of entries) {
    const n = valueBytes(e);
    if (n > 8) size += align8(n);
  }
  return align8(size);
}

/** Encode the IFD of `page`, to be written at file offset `offset` (a multiple of 8), chaining to `nextIfdOffset` (0 = last). */
export function encodeIfd(page: TiffPage, offset: number, nextIfdOffset: number): Uint8Array {
  const entries = entriesOf(page);
  const out = new Uint8Array(ifdByteSize(page));
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(entries.length), true);
  let extra = 8 + entries.length * 20 + 8; // out-of-line values start after the next-IFD offset
  entries.forEach((e, i) => {
    const at = 8 + i * 20;
    view.setUint16(at, e.tag, true);
    view.setUint16(at + 2, e.type, true);
    view.setBigUint64(at + 4, BigInt(e.values.length), true);
    const n = valueBytes(e);
    let valueAt = at + 12;
    if (n > 8) {
      view.setBigUint64(at + 12, BigInt(offset + extra), true);
      valueAt = extra;
      extra += align8(n);
    }
    writeValues(view, out, valueAt, e);
  });
  view.setBigUint64(8 + entries.length * 20, BigInt(nextIfdOffset), true);
  return out;
}

function writeValues(view: DataView, out: Uint8Array, at: number, e: Entry): void {
  const v = e.values;
  switch (e.type) {
    case TYPE_ASCII:
      out.set(v as Uint8Array, at);
      return;
    case TYPE_SHORT:
      for (let i = 0; i < v.length; i++) view.setUint16(at + 2 * i, v[i]!, true);
      return;
    case TYPE_LONG:
      for (let i = 0; i < v.length; i++) view.setUint32(at + 4 * i, v[i]!, true);
      return;
    case TYPE_LONG8:
    case TYPE_IFD8:
      for (let i = 0; i < v.length; i++) view.setBigUint64(at + 8 * i, BigInt(v[i]!), true);
      return;
  }
}
