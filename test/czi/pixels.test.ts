/**
 * Decoded pixels of the real sample CZIs against the independent reference (Python struct +
 * the `zstd` command-line tool + numpy composition): every subblock, every composed plane of
 * every scene; the zstd1/uncompressed golden pair; zstd0; mosaic tile positions and overlap
 * order; the pyramid level; Bgr24 sample order.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { planeIndices, type PlaneIndex } from "../../src/io/types.js";
import { SAMPLE_FILES, openSample, reference, samplePath, sha256 } from "./czi-helpers.js";

const P0: PlaneIndex = { scene: 0, t: 0, c: 0, z: 0 };

describe.each(SAMPLE_FILES)("%s", (name) => {
  const ref = reference[name]!;

  it("decodes every subblock to the reference bytes", async () => {
    const img = await openSample(name);
    try {
      for (let i = 0; i < ref.entries.length; i++) {
        const sb = await img.readSubblock(i);
        expect(sha256(sb.samples), `subblock #${i}`).toBe(ref.entries[i]!.sha256);
        expect(sb.samples.length).toBe(sb.width * sb.height * sb.samplesPerPixel);
      }
    } finally {
      await img.close();
    }
  });

  it("composes every plane of every scene like the reference", async () => {
    const img = await openSample(name);
    try {
      const planes = [...planeIndices(img.info.sizes)];
      expect(planes).toHaveLength(ref.planes.length);
      for (const r of ref.planes) {
        const scene = img.info.scenes[r.scene]!;
        const px = await img.readRegion(r, { x: 0, y: 0, width: scene.width, height: scene.height });
        expect(sha256(px), JSON.stringify(r)).toBe(r.sha256);
        const spp = img.info.samplesPerPixel;
        for (const probe of r.probes) {
          const at = (probe.y * scene.width + probe.x) * spp;
          expect(Array.from(px.subarray(at, at + spp))).toEqual(probe.value);
        }
      }
    } finally {
      await img.close();
    }
  });
});

describe("golden pair: zstd1 with hi-lo packing vs uncompressed", () => {
  it("decodes to identical pixels for all 30 planes", async () => {
    const raw = await openSample("CellDivision_T3_Z5_CH2_X240_Y170.czi");
    const zstd = await openSample("CellDivision_T3_Z5_CH2_X240_Y170_comp1.czi");
    try {
      expect(zstd.info.sizes).toEqual(raw.info.sizes);
      let count = 0;
      const full = { x: 0, y: 0, width: 240, height: 170 };
      for (const plane of planeIndices(raw.info.sizes)) {
        const a = await raw.readRegion(plane, full);
        const b = await zstd.readRegion(plane, full);
        expect(b).toBeInstanceOf(Uint16Array);
        expect(
          Buffer.from(b.buffer, b.byteOffset, b.byteLength).equals(Buffer.from(a.buffer, a.byteOffset, a.byteLength)),
          JSON.stringify(plane),
        ).toBe(true);
        count++;
      }
      expect(count).toBe(30);
      // The planes differ from each other (the comparison is not trivially true).
      const hashes = new Set<string>();
      for (const plane of planeIndices(raw.info.sizes)) hashes.add(sha256(await raw.readRegion(plane, full)));
      expect(hashes.size).toBe(30);
    } finally {
      await raw.close();
      await zstd.close();
    }
  });
});

describe("zstd0 (newCZI_compressed.czi)", () => {
  it("decodes to the bytes `zstd -d` gives, with plausible values", async () => {
    const img = await openSample("newCZI_compressed.czi");
    try {
      const px = (await img.readRegion(P0, { x: 0, y: 0, width: 512, height: 512 })) as Uint16Array;
      expect(sha256(px)).toBe(reference["newCZI_compressed.czi"]!.entries[0]!.sha256);
      let min = Infinity;
      let max = -Infinity;
      for (const v of px) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      expect(max).toBeGreaterThan(min);
      expect(new Set(px).size).toBeGreaterThan(100);
    } finally {
      await img.close();
    }
  });
});

describe("mosaics", () => {
  it("tiles.czi: tiles at their positions, higher M drawn over lower M", async () => {
    const img = await openSample("tiles.czi");
    try {
      // Raw starts: x -127 / 127, y -128 / 128 (256×256 tiles) → scene coordinates 0 / 254, 0 / 256.
      const tile = async (i: number) => (await img.readSubblock(i)).samples as Uint8Array;
      for (const c of [0, 1]) {
        const plane = { ...P0, c };
        const byM = img.subblocks.filter((e) => e.coords.C === c).sort((a, b) => a.m! - b.m!);
        expect(byM.map((e) => [e.x, e.y])).toEqual([
          [-127, -128],
          [127, -128],
          [-127, 128],
          [127, 128],
        ]);
        // M=3 (bottom right) is on top: the region it covers is exactly its pixels.
        const m3 = (await img.readRegion(plane, { x: 254, y: 256, width: 256, height: 256 })) as Uint8Array;
        expect(Buffer.from(m3).equals(Buffer.from(await tile(byM[3]!.index)))).toBe(true);
        // M=0 (top left): columns 0..253 are its own; columns 254, 255 are M=1's columns 0, 1.
        const top = (await img.readRegion(plane, { x: 0, y: 0, width: 510, height: 256 })) as Uint8Array;
        const t0 = await tile(byM[0]!.index);
        const t1 = await tile(byM[1]!.index);
        for (const y of [0, 100, 255]) {
          expect(Array.from(top.subarray(y * 510, y * 510 + 254))).toEqual(Array.from(t0.subarray(y * 256, y * 256 + 254)));
          expect(Array.from(top.subarray(y * 510 + 254, y * 510 + 510))).toEqual(Array.from(t1.subarray(y * 256, y * 256 + 256)));
        }
      }
    } finally {
      await img.close();
    }
  });

  it("S3: every scene's tiles at StartX/StartY minus the scene corner, top tile wins", async () => {
    const img = await openSample("S3_1Pos_2Mosaic_T1_Z1_CH1.czi");
    try {
      expect(img.info.scenes.map((s) => [s.width, s.height, s.origin?.x, s.origin?.y, s.name])).toEqual([
        [295, 122, 145, 0, "TR1"],
        [64, 64, 0, 213, "P1"],
        [352, 237, 293, 277, "TR2"],
      ]);
      for (let scene = 0; scene < 3; scene++) {
        const tiles = img.subblocks.filter((e) => e.coords.S === scene);
        const x0 = Math.min(...tiles.map((e) => e.x));
        const y0 = Math.min(...tiles.map((e) => e.y));
        const top = tiles.reduce((a, b) => (b.m! > a.m! ? b : a));
        const px = await img.readRegion({ ...P0, scene }, { x: top.x - x0, y: top.y - y0, width: top.width, height: top.height });
        expect(sha256(px), `scene ${scene} tile M=${top.m}`).toBe(sha256((await img.readSubblock(top.index)).samples));
      }
    } finally {
      await img.close();
    }
  });
});

describe("pyramid (WellD6_S1.czi)", () => {
  it("level 1 is the 272×220 stored pyramid subblock and matches level 0 at half size", async () => {
    const img = await openSample("WellD6_S1.czi");
    try {
      expect(img.levels.map((l) => [l.level, l.downsample, l.scenes[0]!.width, l.scenes[0]!.height])).toEqual([
        [0, 1, 544, 440],
        [1, 2, 272, 220],
      ]);
      const l1 = (await img.readLevel(P0, { x: 0, y: 0, width: 272, height: 220 }, 1)) as Uint16Array;
      expect(sha256(l1)).toBe(reference["WellD6_S1.czi"]!.pyramid[0]!.sha256);
      // Level 0 is the other subblock, not the pyramid one.
      const l0 = (await img.readRegion(P0, { x: 0, y: 0, width: 544, height: 440 })) as Uint16Array;
      expect(sha256(l0)).toBe(reference["WellD6_S1.czi"]!.entries[1]!.sha256);
      // Same picture, aligned: level 1 correlates with 2×2 means of level 0, best without shift.
      const shifted = (dx: number, dy: number) => {
        const a: number[] = [];
        const b: number[] = [];
        for (let y = 2; y < 218; y++) {
          for (let x = 2; x < 270; x++) {
            const i = 2 * (y + dy) * 544 + 2 * (x + dx);
            a.push((l0[i]! + l0[i + 1]! + l0[i + 544]! + l0[i + 545]!) / 4);
            b.push(l1[y * 272 + x]!);
          }
        }
        return correlation(a, b);
      };
      const aligned = shifted(0, 0);
      expect(aligned).toBeGreaterThan(0.7);
      for (const [dx, dy] of [
        [1, 0],
        [-1, 0],
        [0, 1],
        [0, -1],
      ] as const)
        expect(aligned).toBeGreaterThan(shifted(dx, dy));
      // A sub-rectangle of the level is the matching crop.
      const crop = await img.readLevel(P0, { x: 100, y: 50, width: 30, height: 20 }, 1);
      expect(Array.from(crop.subarray(0, 30))).toEqual(Array.from(l1.subarray(50 * 272 + 100, 50 * 272 + 130)));
    } finally {
      await img.close();
    }
  });
});

describe("Bgr24 (RGB-8bit.czi)", () => {
  it("reads as uint8 × 3 in the file's B, G, R order", async () => {
    const img = await openSample("RGB-8bit.czi");
    try {
      expect([img.info.sampleType, img.info.samplesPerPixel, img.info.sampleOrder]).toEqual(["uint8", 3, "bgr"]);
      const px = await img.readRegion(P0, { x: 0, y: 0, width: 924, height: 624 });
      const entry = reference["RGB-8bit.czi"]!.entries[0]!;
      const fileBytes = readFileSync(samplePath("RGB-8bit.czi")).subarray(entry.dataOffset, entry.dataOffset + 924 * 624 * 3);
      expect(Buffer.from(px.buffer, px.byteOffset, px.byteLength).equals(fileBytes)).toBe(true);
      // Not a grey image in disguise: the three samples differ somewhere.
      let differ = 0;
      for (let i = 0; i < px.length; i += 3) if (px[i] !== px[i + 2]) differ++;
      expect(differ).toBeGreaterThan(1000);
    } finally {
      await img.close();
    }
  });
});

function correlation(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}
