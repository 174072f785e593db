/**
 * Hostile TIFF generator for tests: a little-endian classic TIFF or BigTIFF with one IFD whose
 * tags the test chooses freely (sizes, compression, tile geometry, offsets), so impossible or
 * lying headers are built at test time in a few hundred bytes. `grayTiff` gives a small valid
 * 8-bit grey strip image; `withTags` replaces or adds tags of it.
 */

/** TIFF field types used here: SHORT 3, LONG 4, ASCII 2, LONG8 16. */
export interface Tag {
  tag: number;
  type: 2 | 3 | 4 | 16;
  values: number[] | string;
}

export interface TiffSpec {
  bigTiff?: boolean;
  tags: Tag[];
  /** Bytes placed after the header and IFD; offsets in tags are absolute, see `DATA_OFFSET`. */
  data: Uint8Array;
}

/** Where `data` starts in the file: pixel offsets in tags point here. */
export const DATA_OFFSET = 4096;

const TYPE_SIZE: Record<Tag["type"], number> = { 2: 1, 3: 2, 4: 4, 16: 8 };

function tagBytes(t: Tag): Uint8Array {
  if (typeof t.values === "string") return new TextEncoder().encode(`${t.values}\0`);
  const size = TYPE_SIZE[t.type];
  const out = new Uint8Array(t.values.length * size);
  const view = new DataView(out.buffer);
  t.values.forEach((v, i) => {
    if (size === 2) view.setUint16(i * size, v, true);
    else if (size === 4) view.setUint32(i * size, v, true);
    else view.setBigUint64(i * size, BigInt(v), true);
  });
  return out;
}

/** The file: header, one IFD, out-of-line tag values, then `data` at `DATA_OFFSET`. */
export function buildTiff(spec: TiffSpec): Uint8Array {
  const big = spec.bigTiff === true;
  const tags = [...spec.tags].sort((a, b) => a.tag - b.tag);
  const entrySize = big ? 20 : 12;
  const inline = big ? 8 : 4;
  const ifdOffset = big ? 16 : 8;
  const ifdSize = (big ? 8 : 2) + tags.length * entrySize + (big ? 8 : 4);
  const valuesTooBig = tags.map(tagBytes).filter((b) => b.length > inline);
  const tailSize = valuesTooBig.reduce((n, b) => n + b.length + (b.length % 2), 0);
  const out = new Uint8Array(DATA_OFFSET + spec.data.length + tailSize);
  let tail = DATA_OFFSET + spec.data.length;
  const view = new DataView(out.buffer);
  out.set(big ? [0x49, 0x49, 43, 0, 8, 0, 0, 0] : [0x49, 0x49, 42, 0]);
  if (big) view.setBigUint64(8, BigInt(ifdOffset), true);
  else view.setUint32(4, ifdOffset, true);
  let at = ifdOffset;
  if (big) view.setBigUint64(at, BigInt(tags.length), true);
  else view.setUint16(at, tags.length, true);
  at += big ? 8 : 2;
  let extra = ifdOffset + ifdSize;
  for (const t of tags) {
    const bytes = tagBytes(t);
    const count = typeof t.values === "string" ? bytes.length : t.values.length;
    view.setUint16(at, t.tag, true);
    view.setUint16(at + 2, t.type, true);
    if (big) view.setBigUint64(at + 4, BigInt(count), true);
    else view.setUint32(at + 4, count, true);
    const valueAt = at + (big ? 12 : 8);
    if (bytes.length <= inline) out.set(bytes, valueAt);
    else {
      // small values right after the IFD, big ones (a long description) after the pixel data
      const fits = extra + bytes.length <= DATA_OFFSET;
      const place = fits ? extra : tail;
      if (big) view.setBigUint64(valueAt, BigInt(place), true);
      else view.setUint32(valueAt, place, true);
      out.set(bytes, place);
      if (fits) extra += bytes.length + (bytes.length % 2);
      else tail += bytes.length + (bytes.length % 2);
    }
    at += entrySize;
  }
  out.set(spec.data, DATA_OFFSET);
  return out;
}

const long = (tag: number, ...values: number[]): Tag => ({ tag, type: 4, values });
const short = (tag: number, ...values: number[]): Tag => ({ tag, type: 3, values });

/** Tag numbers used by the tests. */
export const TAG = {
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  Photometric: 262,
  ImageDescription: 270,
  StripOffsets: 273,
  SamplesPerPixel: 277,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  TileWidth: 322,
  TileLength: 323,
  TileOffsets: 324,
  TileByteCounts: 325,
} as const;

/** A valid `width`×`height` 8-bit grey TIFF in one strip; pixel (x, y) = (x + 3y) mod 256. */
export function grayTiff(width = 16, height = 16): TiffSpec {
  const data = new Uint8Array(width * height).map((_, i) => ((i % width) + 3 * Math.floor(i / width)) % 256);
  return {
    tags: [
      long(TAG.ImageWidth, width),
      long(TAG.ImageLength, height),
      short(TAG.BitsPerSample, 8),
      short(TAG.Compression, 1),
      short(TAG.Photometric, 1),
      long(TAG.StripOffsets, DATA_OFFSET),
      short(TAG.SamplesPerPixel, 1),
      long(TAG.RowsPerStrip, height),
      long(TAG.StripByteCounts, data.length),
    ],
    data,
  };
}

/** `spec` with these tags replacing those of the same number (or added); a tag given with no values is removed. */
export function withTags(spec: TiffSpec, ...tags: Tag[]): TiffSpec {
  const replaced = new Set(tags.map((t) => t.tag));
  return { ...spec, tags: [...spec.tags.filter((t) => !replaced.has(t.tag)), ...tags.filter((t) => t.values.length > 0)] };
}

export { long, short };
