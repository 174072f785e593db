/**
 * A minimal CZI writer for tests: subblocks (uncompressed, or already compressed data with
 * its compression code, e.g. JPEG-XR) with chosen dimension entries, a DV
 * directory, no metadata. Used to build mosaics and pyramids larger than the public samples
 * (hundreds of overlapping tiles, several pyramid levels) whose true composition the tests
 * compute independently, pixel by pixel.
 */

export interface SynthTile {
  x: number;
  y: number;
  width: number;
  height: number;
  storedWidth?: number;
  storedHeight?: number;
  /** Other dimensions: C, Z, T, S, M, B, H … → Start. */
  dims?: Record<string, number>;
  /** CZI pixel type code: 0 = Gray8, 1 = Gray16, 2 = Gray32Float, 3 = Bgr24, 4 = Bgr48. */
  pixelType: number;
  /** CZI compression code of `data` (default 0, uncompressed). */
  compression?: number;
  /** Stored pixel bytes (little-endian), or the compressed stream. */
  data: Uint8Array;
}

const align32 = (n: number) => Math.ceil(n / 32) * 32;

function segmentHeader(view: DataView, bytes: Uint8Array, at: number, id: string, allocated: number, used: number): void {
  bytes.set(new TextEncoder().encode(id), at);
  view.setBigInt64(at + 16, BigInt(allocated), true);
  view.setBigInt64(at + 24, BigInt(used), true);
}

function writeEntry(view: DataView, bytes: Uint8Array, at: number, tile: SynthTile, filePosition: number): number {
  const dims: [string, number, number, number][] = [
    ["X", tile.x, tile.width, tile.storedWidth ?? tile.width],
    ["Y", tile.y, tile.height, tile.storedHeight ?? tile.height],
    ...Object.entries(tile.dims ?? {}).map(([d, v]) => [d, v, 1, 1] as [string, number, number, number]),
  ];
  bytes.set([0x44, 0x56], at); // "DV"
  view.setInt32(at + 2, tile.pixelType, true);
  view.setBigInt64(at + 6, BigInt(filePosition), true);
  view.setInt32(at + 14, 0, true);
  view.setInt32(at + 18, tile.compression ?? 0, true);
  view.setInt32(at + 28, dims.length, true);
  dims.forEach(([d, start, size, stored], k) => {
    const p = at + 32 + 20 * k;
    bytes[p] = d.charCodeAt(0);
    view.setInt32(p + 4, start, true);
    view.setInt32(p + 8, size, true);
    view.setInt32(p + 16, stored, true);
  });
  return 32 + 20 * dims.length;
}

export function buildCzi(tiles: SynthTile[]): Uint8Array {
  const subblockSizes = tiles.map((t) => 32 + align32(256 + t.data.length));
  const entrySizes = tiles.map((t) => 32 + 20 * (2 + Object.keys(t.dims ?? {}).length));
  const directoryData = 128 + entrySizes.reduce((a, b) => a + b, 0);
  const total = 544 + subblockSizes.reduce((a, b) => a + b, 0) + 32 + align32(directoryData);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  const directoryPosition = total - 32 - align32(directoryData);
  segmentHeader(view, bytes, 0, "ZISRAWFILE", 512, 512);
  view.setInt32(32, 1, true);
  view.setBigInt64(32 + 52, BigInt(directoryPosition), true);
  const positions: number[] = [];
  let p = 544;
  tiles.forEach((t, i) => {
    positions.push(p);
    const used = 256 + t.data.length;
    segmentHeader(view, bytes, p, "ZISRAWSUBBLOCK", subblockSizes[i]! - 32, used);
    view.setInt32(p + 32, 0, true);
    view.setInt32(p + 36, 0, true);
    view.setBigInt64(p + 40, BigInt(t.data.length), true);
    writeEntry(view, bytes, p + 48, t, p);
    bytes.set(t.data, p + 32 + 256);
    p += subblockSizes[i]!;
  });
  segmentHeader(view, bytes, directoryPosition, "ZISRAWDIRECTORY", align32(directoryData), directoryData);
  view.setInt32(directoryPosition + 32, tiles.length, true);
  let e = directoryPosition + 32 + 128;
  for (const [i, t] of tiles.entries()) e += writeEntry(view, bytes, e, t, positions[i]!);
  return bytes;
}
