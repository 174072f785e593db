/**
 * Unit tests of the pieces under the reader: zstd frame checks on hand-built frames (raw and
 * RLE blocks need no compressor), zstd1 headers and hi-lo unpacking, sample conversion, and
 * the byte-bounded LRU.
 */
import { describe, expect, it } from "vitest";
import { CzmodelError } from "../../src/errors.js";
import { bytesToSamples, decodeSubblock, unpackHiLo } from "../../src/io/czi/decode.js";
import type { SubblockEntry } from "../../src/io/czi/directory.js";
import { ByteLru } from "../../src/io/czi/lru.js";
import { zstdDecodeExact } from "../../src/io/czi/zstd.js";

const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/** A single-segment frame with a 1-byte content size and one raw block holding `payload`. */
function rawFrame(payload: number[], options: { checksum?: boolean; contentSize?: number } = {}): Uint8Array {
  const fhd = 0x20 | (options.checksum ? 0x04 : 0);
  const blockHeader = (payload.length << 3) | 1; // last block, type raw
  const bytes = [
    ...MAGIC,
    fhd,
    options.contentSize ?? payload.length,
    blockHeader & 0xff,
    (blockHeader >> 8) & 0xff,
    blockHeader >> 16,
    ...payload,
  ];
  if (options.checksum) bytes.push(0, 0, 0, 0);
  return new Uint8Array(bytes);
}

function entry(pixelType: number, compression: number, w: number, h: number): SubblockEntry {
  return {
    index: 3,
    pixelType,
    pixelTypeName: "",
    compression,
    filePosition: 0,
    filePart: 0,
    pyramidType: 0,
    dimensions: [],
    x: 0,
    y: 0,
    width: w,
    height: h,
    storedWidth: w,
    storedHeight: h,
    coords: {},
    entrySize: 72,
  };
}

function error(f: () => unknown): CzmodelError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CzmodelError);
    return e as CzmodelError;
  }
  throw new Error("did not throw");
}

describe("zstd frames", () => {
  it("decodes raw and RLE blocks", () => {
    expect(Array.from(zstdDecodeExact(rawFrame([1, 2, 3, 4]), 4, "w"))).toEqual([1, 2, 3, 4]);
    expect(Array.from(zstdDecodeExact(rawFrame([9, 8], { checksum: true }), 2, "w"))).toEqual([9, 8]);
    const rle = new Uint8Array([...MAGIC, 0x20, 5, (5 << 3) | (1 << 1) | 1, 0, 0, 7]);
    expect(Array.from(zstdDecodeExact(rle, 5, "w"))).toEqual([7, 7, 7, 7, 7]);
    // Bytes after the frame are ignored.
    expect(Array.from(zstdDecodeExact(new Uint8Array([...rawFrame([5]), 1, 2, 3]), 1, "w"))).toEqual([5]);
  });

  it("refuses frames that do not fit the subblock or are damaged", () => {
    expect(error(() => zstdDecodeExact(rawFrame([1, 2]), 3, "sb")).message).toBe(
      "sb: zstd frame holds 2 bytes but the subblock needs 3 (stored width × height × bytes per pixel)",
    );
    const noSize = new Uint8Array([...MAGIC, 0x00, 0x00, (1 << 3) | 1, 0, 0, 42]);
    expect(error(() => zstdDecodeExact(noSize, 1, "sb")).message).toMatch(/does not state its content size/);
    expect(error(() => zstdDecodeExact(rawFrame([1, 2, 3, 4]).subarray(0, 10), 4, "sb")).message).toMatch(/truncated/);
    expect(error(() => zstdDecodeExact(new Uint8Array([1, 2, 3, 4, 5, 6, 7]), 4, "sb")).message).toMatch(
      /does not start with a zstd frame/,
    );
    const reserved = rawFrame([1]);
    reserved[4]! |= 0x08;
    expect(error(() => zstdDecodeExact(reserved, 1, "sb")).message).toMatch(/reserved bit/);
    const dict = new Uint8Array([...MAGIC, 0x21, 9, 1, (1 << 3) | 1, 0, 0, 42]);
    const e = error(() => zstdDecodeExact(dict, 1, "sb"));
    expect(e.code).toBe("UNSUPPORTED");
    expect(e.message).toMatch(/dictionary 9/);
    const badBlock = rawFrame([1]);
    badBlock[6] = (1 << 3) | (3 << 1) | 1;
    expect(error(() => zstdDecodeExact(badBlock, 1, "sb")).message).toMatch(/reserved type 3/);
  });
});

describe("zstd1 and hi-lo packing", () => {
  it("unpacks low bytes first, then high bytes, over the whole subblock", () => {
    expect(Array.from(unpackHiLo(new Uint8Array([0x01, 0x02, 0x03, 0xa1, 0xa2, 0xa3])))).toEqual([0xa101, 0xa202, 0xa303]);
  });

  it("decodes zstd1 with and without hi-lo for a 3×1 Gray16 subblock", () => {
    const packed = [0x01, 0x02, 0x03, 0xa1, 0xa2, 0xa3];
    const hiLo = decodeSubblock(entry(1, 6, 3, 1), new Uint8Array([3, 1, 1, ...rawFrame(packed)]), "sb");
    expect(Array.from(hiLo)).toEqual([0xa101, 0xa202, 0xa303]);
    const plain = decodeSubblock(entry(1, 6, 3, 1), new Uint8Array([1, ...rawFrame(packed)]), "sb");
    expect(Array.from(plain)).toEqual([0x0201, 0xa103, 0xa3a2]);
    const off = decodeSubblock(entry(1, 6, 3, 1), new Uint8Array([3, 1, 0, ...rawFrame(packed)]), "sb");
    expect(Array.from(off)).toEqual(Array.from(plain));
    expect(error(() => decodeSubblock(entry(1, 6, 3, 1), new Uint8Array([3, 2, 1, ...rawFrame(packed)]), "sb")).message).toMatch(
      /chunk type 2, expected 1/,
    );
    expect(error(() => decodeSubblock(entry(0, 6, 6, 1), new Uint8Array([3, 1, 1, ...rawFrame(packed)]), "sb")).message).toMatch(
      /hi-lo byte packing is set on a Gray8 subblock \(allowed: Gray16, Bgr48\)/,
    );
  });

  it("decodes zstd0 Bgr48 and uncompressed Gray32Float", () => {
    const bgr48 = decodeSubblock(entry(4, 5, 1, 1), rawFrame([1, 0, 2, 0, 3, 1]), "sb");
    expect(bgr48).toBeInstanceOf(Uint16Array);
    expect(Array.from(bgr48)).toEqual([1, 2, 259]);
    const f = new Float32Array([1.5, -2]);
    const floats = decodeSubblock(entry(2, 0, 2, 1), new Uint8Array(f.buffer), "sb");
    expect(floats).toBeInstanceOf(Float32Array);
    expect(Array.from(floats)).toEqual([1.5, -2]);
  });
});

describe("sample conversion", () => {
  it("copies unaligned bytes before viewing them as 16-bit samples", () => {
    const buf = new Uint8Array([0, 0x34, 0x12, 0x78, 0x56]);
    const s = bytesToSamples(buf.subarray(1), "uint16");
    expect(Array.from(s)).toEqual([0x1234, 0x5678]);
  });
});

describe("ByteLru", () => {
  it("evicts least recently used items beyond the budget but keeps the newest", async () => {
    const lru = new ByteLru<number, string>(10);
    lru.set(1, Promise.resolve("a"), 4);
    lru.set(2, Promise.resolve("b"), 4);
    await lru.get(1); // 1 is now the most recent
    lru.set(3, Promise.resolve("c"), 4); // evicts 2
    expect(lru.get(2)).toBeUndefined();
    expect(await lru.get(1)).toBe("a");
    lru.set(4, Promise.resolve("huge"), 100); // alone over budget: kept, the others go
    expect(lru.size).toBe(1);
    expect(await lru.get(4)).toBe("huge");
  });

  it("forgets a failed decode so it can be retried", async () => {
    const lru = new ByteLru<number, string>(10);
    const failing = Promise.reject(new Error("boom"));
    lru.set(1, failing, 1);
    await failing.catch(() => undefined);
    await Promise.resolve();
    expect(lru.get(1)).toBeUndefined();
  });
});
