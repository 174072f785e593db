/**
 * Hardening: targeted corruptions of the real sample files (in memory), each of which must
 * end in a clear `CzmodelError` that says what is wrong and where (file name, structure,
 * subblock index, offset) — or, where the damage is survivable, in a valid image with a
 * warning. Also the codecs we do not decode (JPEG, LZW …), broken JPEG-XR data and unsupported dimensions.
 */
import { rejectionOf } from "../helpers/errors.js";
import { describe, expect, it } from "vitest";
import type { PlaneIndex } from "../../src/io/types.js";
import {
  dimensionFieldOffset,
  directoryEntryOffset,
  directoryPosition,
  entryCopies,
  openBytes,
  reference,
  sampleBytes,
  writeI32,
  writeI64,
} from "./czi-helpers.js";

const P0: PlaneIndex = { scene: 0, t: 0, c: 0, z: 0 };
const SMALL = "100x100.czi";
const CELL = "CellDivision_T3_Z5_CH2_X240_Y170.czi";
const COMP1 = "CellDivision_T3_Z5_CH2_X240_Y170_comp1.czi";
const S3 = "S3_1Pos_2Mosaic_T1_Z1_CH1.czi";

const failure = rejectionOf;

/** Open and read plane 0 fully. */
async function openAndRead(bytes: Uint8Array, name = "bad.czi", options = {}) {
  const img = await openBytes(bytes, name, options);
  const { width, height } = img.info;
  return img.readRegion(P0, { x: 0, y: 0, width, height });
}

/** Write a 32-bit value at `field` of dimension `letter` in both copies of subblock `i`'s entry. */
function patchDimension(bytes: Uint8Array, name: string, i: number, letter: string, field: 4 | 8 | 16, value: number) {
  for (const p of entryCopies(bytes, reference[name]!, i)) writeI32(bytes, dimensionFieldOffset(bytes, p, letter, field), value);
}

/** Write a 32-bit value at `offset` (2 = PixelType, 18 = Compression) of both copies of subblock `i`'s entry. */
function patchEntry(bytes: Uint8Array, name: string, i: number, offset: number, value: number) {
  for (const p of entryCopies(bytes, reference[name]!, i)) writeI32(bytes, p + offset, value);
}

describe("not a CZI / truncated", () => {
  it("refuses other files", async () => {
    const e = await failure(openBytes(new TextEncoder().encode("x".repeat(2000)), "notes.txt"));
    expect(e.code).toBe("INVALID_IMAGE");
    expect(e.message).toMatch(/^notes\.txt: not a CZI file: it starts with 'x+' instead of 'ZISRAWFILE'/);
    const tiny = await failure(openBytes(new Uint8Array(100), "tiny.czi"));
    expect(tiny.message).toMatch(/not a CZI file: only 100 bytes/);
  });

  it("reports a truncated directory", async () => {
    const bytes = sampleBytes(COMP1); // directory near the end
    const cut = bytes.subarray(0, directoryPosition(bytes) + 100);
    const e = await failure(openBytes(cut, "cut.czi"));
    expect(e.message).toMatch(/cut\.czi: subblock directory \(offset \d+\): .*truncated/);
  });

  it("reports a truncated subblock when its pixels are read", async () => {
    const bytes = sampleBytes(COMP1);
    const ref = reference[COMP1]!;
    // The last subblock before the metadata: declare its segment far larger than the file.
    const last = [...ref.entries].sort((a, b) => b.filePosition - a.filePosition)[0]!;
    writeI64(bytes, last.filePosition + 16, 10_000_000);
    writeI64(bytes, last.filePosition + 24, 10_000_000);
    const index = ref.entries.indexOf(last);
    const img = await openBytes(bytes, "cut.czi");
    const e = await failure(img.readSubblock(index));
    expect(e.message).toMatch(
      new RegExp(`^cut\\.czi: subblock #${index} \\(offset ${last.filePosition}\\): .*\\(truncated or overlapping\\)`),
    );
  });
});

describe("file header", () => {
  it("multi-part files and unknown versions are unsupported", async () => {
    const bytes = sampleBytes(SMALL);
    writeI32(bytes, 32 + 48, 1);
    expect((await failure(openBytes(bytes))).message).toMatch(/part 1 of a multi-part CZI file/);
    const v2 = sampleBytes(SMALL);
    writeI32(v2, 32, 2);
    const e = await failure(openBytes(v2));
    expect(e.code).toBe("UNSUPPORTED");
    expect(e.message).toMatch(/CZI version 2\.0 is not supported/);
  });

  it("a directory position outside the file or on another segment", async () => {
    const bytes = sampleBytes(SMALL);
    writeI64(bytes, 32 + 52, 1e12);
    expect((await failure(openBytes(bytes))).message).toMatch(
      /SubBlockDirectoryPosition = 1000000000000 lies outside the file \(2400 bytes\)/,
    );
    const other = sampleBytes(SMALL);
    writeI64(other, 32 + 52, reference[SMALL]!.entries[0]!.filePosition);
    expect((await failure(openBytes(other))).message).toMatch(/expected a ZISRAWDIRECTORY segment here but found 'ZISRAWSUBBLOCK'/);
  });

  it("64-bit offsets beyond 2^53 are refused", async () => {
    const bytes = sampleBytes(SMALL);
    new DataView(bytes.buffer).setBigInt64(32 + 52, 2n ** 60n, true);
    expect((await failure(openBytes(bytes))).message).toMatch(/SubBlockDirectoryPosition = 1152921504606846976 is out of range/);
  });
});

describe("directory", () => {
  it("an absurd entry count", async () => {
    const bytes = sampleBytes(CELL);
    writeI32(bytes, directoryPosition(bytes) + 32, 2_000_000_000);
    expect((await failure(openBytes(bytes))).message).toMatch(/directory claims 2000000000 entries but its \d+ bytes hold at most \d+/);
  });

  it("DE entries are unsupported, unknown schemas invalid", async () => {
    const bytes = sampleBytes(SMALL);
    const p = directoryEntryOffset(bytes, 0);
    bytes.set([0x44, 0x45], p); // "DE"
    const e = await failure(openBytes(bytes));
    expect(e.code).toBe("UNSUPPORTED");
    expect(e.message).toMatch(/subblock #0: directory entries of schema "DE" are not supported/);
    bytes.set([0x51, 0x51], p);
    expect((await failure(openBytes(bytes))).message).toMatch(/schema 'QQ' instead of "DV"/);
  });

  it("an absurd dimension count", async () => {
    const bytes = sampleBytes(SMALL);
    writeI32(bytes, directoryEntryOffset(bytes, 0) + 28, 100000);
    expect((await failure(openBytes(bytes))).message).toMatch(/DimensionCount is 100000 \(allowed: 2\.\.40\)/);
  });

  it("two entries pointing at the same subblock", async () => {
    const bytes = sampleBytes(CELL);
    const pos = reference[CELL]!.entries[0]!.filePosition;
    writeI64(bytes, directoryEntryOffset(bytes, 3) + 6, pos);
    expect((await failure(openBytes(bytes))).message).toMatch(/subblocks #0 and #3 both point at file offset 526656/);
  });

  it("a subblock position outside the file", async () => {
    const bytes = sampleBytes(CELL);
    writeI64(bytes, directoryEntryOffset(bytes, 5) + 6, 1e10);
    expect((await failure(openBytes(bytes))).message).toMatch(/subblock #5: FilePosition 10000000000 lies outside the file/);
  });

  it("stored size larger than the logical size, or zero", async () => {
    const bytes = sampleBytes(SMALL);
    writeI32(bytes, dimensionFieldOffset(bytes, directoryEntryOffset(bytes, 0), "X", 16), 11);
    expect((await failure(openBytes(bytes))).message).toMatch(
      /subblock #0: X has size 10 and stored size 11 \(allowed: 1 <= stored size <= size\)/,
    );
    writeI32(bytes, dimensionFieldOffset(bytes, directoryEntryOffset(bytes, 0), "X", 16), 0);
    expect((await failure(openBytes(bytes))).message).toMatch(/stored size 0/);
  });
});

describe("subblocks", () => {
  it("an unknown segment id where a subblock should be", async () => {
    const bytes = sampleBytes(CELL);
    const pos = reference[CELL]!.entries[2]!.filePosition;
    bytes.set(new TextEncoder().encode("ZISRAWBOGUS\0\0\0\0\0"), pos);
    const img = await openBytes(bytes, "bogus.czi");
    const e = await failure(img.readSubblock(2));
    expect(e.message).toBe(`bogus.czi: subblock #2 (offset ${pos}): expected a ZISRAWSUBBLOCK segment but found 'ZISRAWBOGUS'`);
  });

  it("overlapping subblock segments", async () => {
    const bytes = sampleBytes(CELL);
    const e0 = reference[CELL]!.entries[0]!;
    writeI64(bytes, e0.filePosition + 16, 200_000); // AllocatedSize runs over the next segment
    const img = await openBytes(bytes);
    expect((await failure(img.readSubblock(0))).message).toMatch(
      /subblock segment runs to \d+, past the next segment at \d+ \(truncated or overlapping\)/,
    );
  });

  it("a subblock header that disagrees with the directory", async () => {
    const bytes = sampleBytes(CELL);
    const copy = reference[CELL]!.entries[4]!.filePosition + 32 + 16;
    writeI32(bytes, dimensionFieldOffset(bytes, copy, "Y", 8), 171);
    const img = await openBytes(bytes);
    expect((await failure(img.readSubblock(4))).message).toMatch(
      /subblock #4 .*disagrees with the directory: height 170 in the directory, 171 in the subblock/,
    );
  });

  it("data size larger than the segment", async () => {
    const bytes = sampleBytes(CELL);
    const e = reference[CELL]!.entries[1]!;
    writeI64(bytes, e.filePosition + 32 + 8, 90_000);
    const img = await openBytes(bytes);
    expect((await failure(img.readSubblock(1))).message).toMatch(
      /header \(256\) \+ metadata \(816\) \+ data \(90000\) bytes exceed the segment's 82672 bytes/,
    );
  });

  it("uncompressed data shorter than the pixels need", async () => {
    const bytes = sampleBytes(CELL);
    const e = reference[CELL]!.entries[1]!;
    writeI64(bytes, e.filePosition + 32 + 8, 1000);
    const img = await openBytes(bytes);
    expect((await failure(img.readSubblock(1))).message).toMatch(
      /uncompressed subblock has 1000 data bytes but 240×170 Gray16 needs 81600/,
    );
  });
});

describe("codecs and pixel types", () => {
  it("JPEG-XR that is not a JPEG-XR stream: the file opens, pixels are refused in one line naming the subblock", async () => {
    const bytes = sampleBytes(SMALL);
    patchEntry(bytes, SMALL, 0, 18, 4); // uncompressed pixels relabelled as JPEG-XR
    const img = await openBytes(bytes, "jxr.czi");
    expect(img.info.details?.compression).toEqual(["JPEG-XR"]);
    expect(img.warnings.join("\n")).not.toMatch(/cannot be decoded/);
    const e = await failure(img.readRegion(P0, { x: 0, y: 0, width: 10, height: 10 }));
    expect(e.code).toBe("INVALID_IMAGE");
    expect(e.message).toMatch(/^jxr\.czi: subblock #0 \(offset 544\): JPEG-XR data cannot be decoded: jxrlib: [^\n]+$/);
  });

  it.each([
    [1, /JPEG-compressed/],
    [2, /LZW-compressed/],
    [150, /camera-specific raw \(150\)-compressed/],
    [1001, /system-specific raw \(1001\)-compressed/],
  ])("compression %i is refused", async (code, message) => {
    const bytes = sampleBytes(SMALL);
    patchEntry(bytes, SMALL, 0, 18, code);
    const img = await openBytes(bytes);
    expect((await failure(img.readSubblock(0))).message).toMatch(message);
  });

  it("unknown and complex pixel types", async () => {
    const bytes = sampleBytes(SMALL);
    patchEntry(bytes, SMALL, 0, 2, 7);
    expect((await failure(openBytes(bytes))).message).toMatch(
      /subblock #0 .*unknown pixel type code 7 \(allowed: Gray8, Gray16, Gray32Float, Bgr24, Bgr48, Bgr96Float, Bgra32\)/,
    );
    patchEntry(bytes, SMALL, 0, 2, 10);
    const e = await failure(openBytes(bytes));
    expect(e.code).toBe("UNSUPPORTED");
    expect(e.message).toMatch(/pixel type Gray64ComplexFloat is not supported \(complex pixels\)/);
  });

  it("zstd frame whose content size does not fit the subblock", async () => {
    const bytes = sampleBytes(COMP1);
    patchDimension(bytes, COMP1, 0, "X", 16, 239);
    patchDimension(bytes, COMP1, 0, "X", 8, 239);
    const img = await openBytes(bytes);
    expect((await failure(img.readSubblock(0))).message).toMatch(/zstd frame holds 81600 bytes but the subblock needs 81260/);
  });

  it("corrupt zstd1 header and hi-lo on 8-bit data", async () => {
    const bytes = sampleBytes(COMP1);
    const e = reference[COMP1]!.entries[0]!;
    bytes[e.dataOffset] = 7;
    const img = await openBytes(bytes);
    expect((await failure(img.readSubblock(0))).message).toMatch(/zstd1 header is invalid \(header size byte 7\)/);
    bytes[e.dataOffset] = 3;
    patchEntry(bytes, COMP1, 0, 2, 0); // claim Gray8: frame size no longer matches either
    const img2 = await openBytes(bytes);
    expect((await failure(img2.readSubblock(0))).message).toMatch(/zstd frame holds 81600 bytes but the subblock needs 40800/);
  });

  it("mixed Gray8 and Gray16 subblocks read as uint16 with a warning", async () => {
    const bytes = sampleBytes("tiles.czi");
    // tiles.czi is Gray8; relabel C=0's first 256×256 tile as a 128×256 Gray16 tile (same bytes).
    const ref = reference["tiles.czi"]!;
    expect(ref.entries[0]!.dims.C!.start).toBe(0);
    patchEntry(bytes, "tiles.czi", 0, 2, 1);
    patchDimension(bytes, "tiles.czi", 0, "X", 16, 128);
    patchDimension(bytes, "tiles.czi", 0, "X", 8, 128);
    const img = await openBytes(bytes);
    expect(img.info.sampleType).toBe("uint16");
    expect(img.warnings).toContain("subblocks mix pixel types Gray8, Gray16: all read as uint16");
    const px = await img.readRegion({ ...P0, c: 1 }, { x: 0, y: 0, width: 10, height: 1 });
    expect(px).toBeInstanceOf(Uint16Array);
  });
});

describe("dimensions", () => {
  it("a second H index is refused, or reduced to H=0 when asked", async () => {
    const bytes = sampleBytes(S3);
    patchDimension(bytes, S3, 3, "H", 4, 1);
    const e = await failure(openBytes(bytes, "h.czi"));
    expect(e.code).toBe("UNSUPPORTED");
    expect(e.message).toMatch(/^h\.czi: unsupported dimension H with size 2 \(indices 0\.\.1\)/);
    expect(e.allowed).toMatch(/otherDimensions: "first"/);
    const img = await openBytes(bytes, "h.czi", { otherDimensions: "first" });
    expect(img.warnings).toContain("dimension H has size 2: only H=0 is read");
    expect(img.info.details?.subblocks).toBe(28);
    expect((img.info.details!.scenes as { subblocks: number }[])[0]!.subblocks).toBe(9);
  });

  it("a Z index far from the others is an implausible image", async () => {
    const bytes = sampleBytes(CELL);
    patchDimension(bytes, CELL, 0, "Z", 4, 2_000_000_000);
    expect((await failure(openBytes(bytes))).message).toMatch(/dimension Z spans 2000000001 indices \(0\.\.2000000000\)/);
  });

  it("a huge logical size opens; reading all of it is refused by the region limit", async () => {
    const bytes = sampleBytes(SMALL);
    patchDimension(bytes, SMALL, 0, "X", 8, 2_000_000_000);
    const img = await openBytes(bytes);
    expect(img.info.width).toBe(2_000_000_000);
    // Level 1 (factor 2e8) exists: the subblock is a pyramid subblock now.
    expect(img.levels).toHaveLength(2);
    await expect(openAndRead(bytes)).rejects.toThrow(/more than the 1073741824-byte limit/);
  });
});

describe("damage that costs only metadata", () => {
  it("broken metadata XML: pixels still read, with a warning", async () => {
    const bytes = sampleBytes(SMALL);
    const metaPos = Number(new DataView(bytes.buffer).getBigInt64(32 + 60, true));
    writeI32(bytes, metaPos + 32, 1e9); // XmlSize
    const img = await openBytes(bytes);
    expect(img.warnings.join("\n")).toMatch(/metadata ignored: .*metadata XML size 1000000000 does not fit/);
    expect(img.info.channelNames).toBeUndefined();
    expect((await img.readRegion(P0, { x: 0, y: 0, width: 10, height: 10 })).length).toBe(100);
  });
});
