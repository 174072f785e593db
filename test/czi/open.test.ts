/**
 * Opening the 8 real sample CZIs: dimensions, sizes, pixel types, compression, scenes,
 * pyramid levels, channel names, scaling, attachments and the directory itself, checked
 * against literal values (from docs/czi.md#sample-files) and against the independent Python
 * parse in test/fixtures/czi/reference.json.
 */
import { describe, expect, it } from "vitest";
import { compressionName, pixelTypeByCode } from "../../src/io/czi/index.js";
import { SAMPLE_FILES, openSample, reference, sha256 } from "./czi-helpers.js";

interface Expected {
  width: number;
  height: number;
  sizes: { scene: number; t: number; c: number; z: number };
  pixelType: string;
  sampleType: string;
  samplesPerPixel: number;
  sampleOrder: string;
  compression: string[];
  letters: string;
  levels: number;
}

const gray16 = { pixelType: "Gray16", sampleType: "uint16", samplesPerPixel: 1, sampleOrder: "gray" };
const gray8 = { pixelType: "Gray8", sampleType: "uint8", samplesPerPixel: 1, sampleOrder: "gray" };
const one = { scene: 1, t: 1, c: 1, z: 1 };

const EXPECTED: Record<string, Expected> = {
  "100x100.czi": { width: 10, height: 10, sizes: one, ...gray8, compression: ["uncompressed"], letters: "CMSTXYZ", levels: 1 },
  "newCZI_compressed.czi": { width: 512, height: 512, sizes: one, ...gray16, compression: ["zstd0"], letters: "CMSTXYZ", levels: 1 },
  "CellDivision_T3_Z5_CH2_X240_Y170.czi": {
    width: 240,
    height: 170,
    sizes: { scene: 1, t: 3, c: 2, z: 5 },
    ...gray16,
    compression: ["uncompressed"],
    letters: "BCTXYZ",
    levels: 1,
  },
  "CellDivision_T3_Z5_CH2_X240_Y170_comp1.czi": {
    width: 240,
    height: 170,
    sizes: { scene: 1, t: 3, c: 2, z: 5 },
    ...gray16,
    compression: ["zstd1"],
    letters: "CMSTXYZ",
    levels: 1,
  },
  "S3_1Pos_2Mosaic_T1_Z1_CH1.czi": {
    width: 295,
    height: 122,
    sizes: { scene: 3, t: 1, c: 1, z: 1 },
    ...gray16,
    compression: ["zstd1"],
    letters: "CHMSTXYZ",
    levels: 1,
  },
  "WellD6_S1.czi": { width: 544, height: 440, sizes: one, ...gray16, compression: ["uncompressed"], letters: "CMSXY", levels: 2 },
  "tiles.czi": {
    width: 510,
    height: 512,
    sizes: { scene: 1, t: 1, c: 2, z: 1 },
    ...gray8,
    compression: ["uncompressed"],
    letters: "BCMTVXYZ",
    levels: 1,
  },
  "RGB-8bit.czi": {
    width: 924,
    height: 624,
    sizes: one,
    pixelType: "Bgr24",
    sampleType: "uint8",
    samplesPerPixel: 3,
    sampleOrder: "bgr",
    compression: ["uncompressed"],
    letters: "TXY",
    levels: 1,
  },
};

describe.each(SAMPLE_FILES)("%s", (name) => {
  const ref = reference[name]!;
  const exp = EXPECTED[name]!;

  it("reports the literal dimensions, pixel type and compression", async () => {
    const img = await openSample(name);
    try {
      const { info } = img;
      expect(info.format).toBe("czi");
      expect([info.width, info.height]).toEqual([exp.width, exp.height]);
      expect(info.sizes).toEqual(exp.sizes);
      expect(info.sampleType).toBe(exp.sampleType);
      expect(info.samplesPerPixel).toBe(exp.samplesPerPixel);
      expect(info.sampleOrder).toBe(exp.sampleOrder);
      expect(info.details?.pixelType).toBe(exp.pixelType);
      expect(info.details?.compression).toEqual(exp.compression);
      expect(
        Object.keys(info.details?.dimensions as object)
          .sort()
          .join(""),
      ).toBe(exp.letters);
      expect(img.levels).toHaveLength(exp.levels);
      expect(img.fileHeader.major).toBe(1);
    } finally {
      await img.close();
    }
  });

  it("agrees with the independent Python parse", async () => {
    const img = await openSample(name);
    try {
      const { info } = img;
      expect(info.sizes).toEqual(ref.sizes);
      expect(info.details?.pixelType).toBe(ref.pixelTypes.join(", "));
      expect(info.details?.compression).toEqual(ref.compressions.map(compressionName));
      // Directory: every entry, field by field.
      expect(img.subblocks).toHaveLength(ref.entries.length);
      img.subblocks.forEach((e, i) => {
        const r = ref.entries[i]!;
        expect([e.pixelType, e.compression, e.filePosition, e.pyramidType]).toEqual([
          r.pixelType,
          r.compression,
          r.filePosition,
          r.pyramidType,
        ]);
        expect(e.pixelTypeName).toBe(pixelTypeByCode(r.pixelType)!.name);
        const dims = Object.fromEntries(e.dimensions.map((d) => [d.dimension, { start: d.start, size: d.size, stored: d.storedSize }]));
        expect(dims).toEqual(r.dims);
      });
      // Scenes: size, origin, name, tile count.
      expect(info.scenes).toHaveLength(ref.scenes.length);
      info.scenes.forEach((s, i) => {
        const r = ref.scenes[i]!;
        expect([s.width, s.height]).toEqual([r.width, r.height]);
        expect([s.origin?.x, s.origin?.y]).toEqual(r.origin);
        expect(s.name).toBe(r.name ?? undefined);
      });
      const detailScenes = info.details?.scenes as { subblocks: number }[];
      expect(detailScenes.map((s) => s.subblocks)).toEqual(ref.scenes.map((s) => s.tiles));
      // Channel names: Information/Image first, DisplaySetting when those have none.
      const names = ref.channelNames.some((n) => n) ? ref.channelNames : ref.displayChannelNames;
      if (names.some((n) => n)) expect(info.channelNames).toEqual(names);
      else expect(info.channelNames).toBeUndefined();
      // Scaling in metres; 0 means unknown.
      const scaling = Object.fromEntries(
        Object.entries(ref.scaling)
          .filter(([, v]) => v > 0)
          .map(([k, v]) => [k.toLowerCase(), v]),
      );
      expect(info.physicalSize ?? {}).toEqual(scaling);
      expect(info.significantBits).toBe(ref.componentBitCount ?? undefined);
      // Attachments: names, types, sizes and payloads.
      expect(img.attachments.map((a) => [a.name, a.contentType, a.size])).toEqual(
        ref.attachments.map((a) => [a.name, a.contentType, a.size]),
      );
      for (const a of ref.attachments) expect(sha256(await img.readAttachment(a.name))).toBe(a.sha256);
      // Metadata XML.
      const xml = await img.metadataXml();
      expect(new TextEncoder().encode(xml).length).toBeLessThanOrEqual(ref.xmlSize);
      expect(xml).toMatch(/^(\uFEFF)?<\?xml|^<ImageDocument/);
      expect(xml).toContain("</ImageDocument>");
    } finally {
      await img.close();
    }
  });
});

describe("image-info details", () => {
  it("carry what image-info prints (S3 mosaic with scenes)", async () => {
    const img = await openSample("S3_1Pos_2Mosaic_T1_Z1_CH1.czi");
    try {
      const d = img.info.details!;
      expect(d.cziVersion).toBe("1.0");
      expect(d.dimensions).toEqual({ C: 1, H: 1, M: 17, S: 3, T: 1, X: 645, Y: 514, Z: 1 });
      expect(d.mosaicTiles).toBe(17);
      expect(d.subblocks).toBe(28);
      expect(d.scenes).toEqual([
        { index: 0, name: "TR1", x: 145, y: 0, width: 295, height: 122, subblocks: 10 },
        { index: 1, name: "P1", x: 0, y: 213, width: 64, height: 64, subblocks: 1 },
        { index: 2, name: "TR2", x: 293, y: 277, width: 352, height: 237, subblocks: 17 },
      ]);
      expect(d.attachments).toEqual([
        { name: "TimeStamps", contentType: "CZTIMS", size: 16 },
        { name: "Thumbnail", contentType: "JPG", size: 5556 },
      ]);
      expect(d.componentBitCount).toBe(14);
      expect(JSON.parse(JSON.stringify(d))).toEqual(d); // plain JSON for --json
    } finally {
      await img.close();
    }
  });

  it("list pyramid levels (WellD6) and negative raw starts (tiles.czi)", async () => {
    const well = await openSample("WellD6_S1.czi");
    expect(well.info.details?.pyramidLevels).toEqual([
      { level: 0, downsample: 1, subblocks: 1, width: 544, height: 440 },
      { level: 1, downsample: 2, subblocks: 1, width: 272, height: 220 },
    ]);
    await well.close();
    const tiles = await openSample("tiles.czi");
    expect(tiles.info.details?.dimensionStarts).toEqual({ X: -127, Y: -128 });
    expect(tiles.info.details?.mosaicTiles).toBe(4);
    expect(tiles.info.channelNames).toEqual(["Ch1", "T PMT"]);
    await tiles.close();
  });

  it("have no warnings for the clean samples", async () => {
    for (const name of SAMPLE_FILES) {
      const img = await openSample(name);
      expect(img.warnings, name).toEqual([]);
      await img.close();
    }
  });
});
