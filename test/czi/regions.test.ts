/**
 * Lazy region reads: a rectangle equals the same crop of the whole plane, reading it touches
 * only the subblocks that intersect it (checked by recording the byte ranges read), decoded
 * subblocks are reused, big uncompressed subblocks are read in row bands, the browser Blob
 * path gives the same pixels, and bad planes / rectangles are refused clearly.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BlobByteSource } from "../../src/bytes/byte-source.js";
import { CzmodelError } from "../../src/errors.js";
import { openCzi } from "../../src/io/czi/index.js";
import { FileByteSource } from "../../src/bytes/node/file-byte-source.js";
import { planeIndices, type PlaneIndex, type SampleArray } from "../../src/io/types.js";
import { RecordingByteSource, SAMPLE_FILES, openSample, reference, samplePath, sha256 } from "./czi-helpers.js";

const P0: PlaneIndex = { scene: 0, t: 0, c: 0, z: 0 };

/** The bytes of a crop of `full` (a plane `width` pixels wide). */
function crop(full: SampleArray, width: number, spp: number, x: number, y: number, w: number, h: number): Buffer {
  const rows: Buffer[] = [];
  for (let r = y; r < y + h; r++) rows.push(bytes(full.subarray((r * width + x) * spp, (r * width + x + w) * spp)));
  return Buffer.concat(rows);
}

function bytes(a: SampleArray): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("region reads equal crops of the whole plane", () => {
  it.each(SAMPLE_FILES)("%s", async (name) => {
    const img = await openSample(name);
    const random = rng(42);
    try {
      const spp = img.info.samplesPerPixel;
      for (const plane of [...planeIndices(img.info.sizes)].slice(0, 6)) {
        const { width, height } = img.info.scenes[plane.scene]!;
        const full = await img.readRegion(plane, { x: 0, y: 0, width, height });
        for (let k = 0; k < 8; k++) {
          const w = 1 + Math.floor(random() * width);
          const h = 1 + Math.floor(random() * height);
          const x = Math.floor(random() * (width - w + 1));
          const y = Math.floor(random() * (height - h + 1));
          const part = await img.readRegion(plane, { x, y, width: w, height: h });
          expect(part.length).toBe(w * h * spp);
          expect(bytes(part).equals(crop(full, width, spp, x, y, w, h)), `${JSON.stringify(plane)} ${x},${y} ${w}×${h}`).toBe(true);
        }
      }
    } finally {
      await img.close();
    }
  });
});

describe("only intersecting subblocks are read", () => {
  it("tiles.czi: a rectangle inside one tile reads only that tile's segment", async () => {
    const source = new RecordingByteSource(await FileByteSource.open(samplePath("tiles.czi")));
    const img = await openCzi(source);
    try {
      source.reads.length = 0;
      // Scene coordinates (300, 300) lie only in the bottom-right tile (M=3): subblock #6 for C=0.
      await img.readRegion(P0, { x: 300, y: 300, width: 50, height: 50 });
      const e = reference["tiles.czi"]!.entries[6]!;
      const segmentEnd = e.dataOffset + e.dataSize;
      expect(source.reads.length).toBeGreaterThan(0);
      for (const [offset, length] of source.reads) {
        expect(offset).toBeGreaterThanOrEqual(e.filePosition);
        expect(offset + length).toBeLessThanOrEqual(segmentEnd);
      }
      // A second read of a nearby rectangle is served from the decoded-subblock cache.
      source.reads.length = 0;
      await img.readRegion(P0, { x: 310, y: 320, width: 60, height: 40 });
      expect(source.reads).toEqual([]);
    } finally {
      await img.close();
    }
  });

  it("S3: a rectangle in scene 2 reads no subblock of scenes 0 and 1", async () => {
    const source = new RecordingByteSource(await FileByteSource.open(samplePath("S3_1Pos_2Mosaic_T1_Z1_CH1.czi")));
    const img = await openCzi(source);
    try {
      source.reads.length = 0;
      await img.readRegion({ ...P0, scene: 2 }, { x: 0, y: 0, width: 40, height: 40 });
      const ref = reference["S3_1Pos_2Mosaic_T1_Z1_CH1.czi"]!;
      const touched = new Set<number>();
      for (const [offset] of source.reads) {
        const i = ref.entries.findIndex((e) => offset >= e.filePosition && offset < e.dataOffset + e.dataSize);
        expect(i, `read at ${offset} is inside a subblock`).toBeGreaterThanOrEqual(0);
        touched.add(i);
      }
      expect(touched.size).toBeGreaterThan(0);
      // Exactly the scene-2 tiles that overlap the scene's top-left 40×40 pixels.
      const { x: sx, y: sy } = ref.scenes[2]!;
      const expected = ref.entries
        .map((e, i) => ({ e, i }))
        .filter(({ e }) => e.dims.S!.start === 2 && e.dims.X!.start < sx + 40 && e.dims.Y!.start < sy + 40)
        .map(({ i }) => i);
      expect([...touched].sort((a, b) => a - b)).toEqual(expected);
    } finally {
      await img.close();
    }
  });

  it("RGB-8bit.czi: a big uncompressed subblock is read in row bands when asked", async () => {
    const whole = await openSample("RGB-8bit.czi");
    const full = await whole.readRegion(P0, { x: 0, y: 0, width: 924, height: 624 });
    await whole.close();
    const source = new RecordingByteSource(await FileByteSource.open(samplePath("RGB-8bit.czi")));
    const img = await openCzi(source, { partialReadBytes: 64 * 1024 });
    try {
      source.reads.length = 0;
      const part = await img.readRegion(P0, { x: 10, y: 100, width: 50, height: 20 });
      expect(bytes(part).equals(crop(full, 924, 3, 10, 100, 50, 20))).toBe(true);
      // 20 rows of 924×3 bytes plus the subblock header, not the 1.7 MB subblock.
      expect(source.bytesRead()).toBeLessThan(20 * 924 * 3 + 2048);
    } finally {
      await img.close();
    }
  });
});

describe("isomorphic: a Blob source gives the same pixels", () => {
  it("CellDivision comp1 through BlobByteSource", async () => {
    const bytes = readFileSync(samplePath("CellDivision_T3_Z5_CH2_X240_Y170_comp1.czi"));
    const img = await openCzi(new BlobByteSource(new Blob([bytes]), "comp1.czi"));
    try {
      const ref = reference["CellDivision_T3_Z5_CH2_X240_Y170_comp1.czi"]!;
      for (const r of ref.planes.slice(0, 5)) {
        expect(sha256(await img.readRegion(r, { x: 0, y: 0, width: 240, height: 170 }))).toBe(r.sha256);
      }
    } finally {
      await img.close();
    }
  });
});

describe("bad requests are refused", () => {
  it("planes, rectangles and levels outside the image", async () => {
    const img = await openSample("tiles.czi");
    try {
      const bad: [PlaneIndex, { x: number; y: number; width: number; height: number }, number][] = [
        [{ ...P0, c: 2 }, { x: 0, y: 0, width: 1, height: 1 }, 0],
        [{ ...P0, scene: 1 }, { x: 0, y: 0, width: 1, height: 1 }, 0],
        [{ ...P0, t: -1 }, { x: 0, y: 0, width: 1, height: 1 }, 0],
        [P0, { x: 500, y: 0, width: 11, height: 1 }, 0],
        [P0, { x: 0, y: 0, width: 0, height: 1 }, 0],
        [P0, { x: 0.5, y: 0, width: 1, height: 1 }, 0],
        [P0, { x: 0, y: 0, width: 1, height: 1 }, 1],
      ];
      for (const [plane, rect, level] of bad) {
        const err = await img.readLevel(plane, rect, level).catch((e: unknown) => e);
        expect(err, JSON.stringify([plane, rect, level])).toBeInstanceOf(CzmodelError);
        expect((err as CzmodelError).code).toBe("INVALID_ARGUMENT");
        expect((err as CzmodelError).allowed).toBeTruthy();
      }
      await expect(img.readSubblock(8)).rejects.toThrow(/subblock #8 does not exist/);
      await expect(img.readAttachment("Nope")).rejects.toThrow(/Thumbnail, LookupTables, TimeStamps, EventList/);
    } finally {
      await img.close();
    }
  });

  it("a region larger than the limit is refused before allocating", async () => {
    const img = await openSample("RGB-8bit.czi", { maxRegionBytes: 1000 });
    try {
      await expect(img.readRegion(P0, { x: 0, y: 0, width: 100, height: 100 })).rejects.toThrow(
        /30000 bytes, more than the 1000-byte limit/,
      );
    } finally {
      await img.close();
    }
  });
});
