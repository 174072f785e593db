import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildCzann, buildLegacy, readModelFileBytes, type ModelFile } from "../../src/container/index.js";
import { readModelFile } from "../../src/container/node/index.js";
import { testdata } from "../helpers/paths.js";

const W = 0x0014; // made-by: Windows, spec 2.0
const U = 0x0314; // made-by: Unix, spec 2.0
const ATTR = 0x01800000;
const dos = (y: number, mo: number, d: number, h: number, mi: number, s: number) => ({
  date: ((y - 1980) << 9) | (mo << 5) | d,
  time: (h << 11) | (mi << 5) | (s >> 1),
});

interface Expected {
  file: string;
  format: "czann" | "czmodel";
  entries: [string, number, number][]; // name, size, crc32
  madeBy: number;
  dosDateTime: { date: number; time: number };
  check: (m: ModelFile) => void;
}

const FILES: Expected[] = [
  {
    file: "simple_nuclei_segmodel.czann",
    format: "czann",
    entries: [
      ["model.json", 260, 0xb7c415f7],
      ["model.model", 3415, 0x42624026],
    ],
    madeBy: W,
    dosDateTime: dos(2022, 4, 29, 15, 35, 12),
    check: (m) => {
      if (m.format !== "czann") throw new Error("format");
      expect(m.metadata.id).toBe("34c8660b-2db4-425d-a16d-d6e803171c9a");
      expect(m.metadata.type).toBe("SingleClassSemanticSegmentation");
      expect(m.metadata.inputShape).toEqual([1024, 1024, 1]);
      expect(m.metadata.outputShape).toEqual([1024, 1024, 2]);
      expect(m.metadata.minOverlap).toEqual([8, 8]);
      expect(m.metadata.classes).toEqual(["Background", "Nucleus"]);
      expect(m.metadata.modelName).toBe("Simple_Nuclei_SegmentationModel");
      expect(m.metadata.scaling).toBeUndefined();
    },
  },
  {
    file: "simple_kidney_regmodel.czann",
    format: "czann",
    entries: [
      ["model.json", 199, 0xa20ec824],
      ["model.model", 36895, 0x530e183f],
    ],
    madeBy: U,
    dosDateTime: dos(2022, 4, 29, 9, 31, 16),
    check: (m) => {
      if (m.format !== "czann") throw new Error("format");
      expect(m.metadata.id).toBe("98ff656f-d282-43f3-b485-7522303db858");
      expect(m.metadata.type).toBe("Regression");
      expect(m.metadata.inputShape).toEqual([1024, 1024, 1]);
      expect(m.metadata.outputShape).toEqual([1024, 1024, 1]);
      expect(m.metadata.minOverlap).toEqual([8, 8]);
      expect(m.metadata.classes).toBeUndefined();
      expect(m.metadata.modelName).toBe("Simple_Kidney_RegressionModel");
      expect(m.metadata.scaling).toBeUndefined();
    },
  },
  {
    file: "simple_pytorch_nuclei_segmodel_pytorch.czann",
    format: "czann",
    entries: [
      ["model.json", 281, 0xafc65372],
      ["model.model", 1874, 0x0f5daf1a],
    ],
    madeBy: W,
    dosDateTime: dos(2023, 9, 30, 15, 49, 24),
    check: (m) => {
      if (m.format !== "czann") throw new Error("format");
      expect(m.metadata.id).toBe("3f13b6da-d9c4-4a01-8b92-a02951bb0397");
      expect(m.metadata.type).toBe("SingleClassSemanticSegmentation");
      expect(m.metadata.inputShape).toEqual([512, 512, 1]);
      expect(m.metadata.outputShape).toEqual([512, 512, 2]);
      expect(m.metadata.minOverlap).toEqual([64, 64]);
      expect(m.metadata.classes).toEqual(["Background", "Nucleus"]);
      expect(m.metadata.scaling).toEqual([1, 1]);
      expect(m.metadata.scalingIntForm).toBeUndefined();
    },
  },
  {
    file: "simple_nuclei_segmodel_legacy.czseg",
    format: "czmodel",
    entries: [
      ["27eaeeab-7e9a-4f9c-88bb-6e5b477d2241.xml", 557, 0xafe75c35],
      ["27eaeeab-7e9a-4f9c-88bb-6e5b477d2241.model", 3438, 0x3a98da85],
      ["modelid=27eaeeab-7e9a-4f9c-88bb-6e5b477d2241", 0, 0],
    ],
    madeBy: W,
    dosDateTime: dos(2022, 4, 29, 15, 35, 12),
    check: (m) => {
      if (m.format !== "czmodel") throw new Error("format");
      expect(m.metadata.id).toBe("27eaeeab-7e9a-4f9c-88bb-6e5b477d2241");
      expect(m.metadata.modelName).toBe("Simple_Nuclei_SegmentationModel_Legacy");
      expect(m.metadata.colorHandling).toBe("SplitRgb");
      expect(m.metadata.pixelTypes).toEqual(["Gray16"]);
      expect(m.metadata.borderSize).toBe(8);
      expect(m.metadata.version).toBe("3.1.0");
      expect(m.metadata.classes).toEqual([
        { name: "Background", color: [255, 0, 0], labelValue: 1 },
        { name: "Nucleus", color: [0, 255, 0], labelValue: 2 },
      ]);
    },
  },
];

describe.each(FILES)("$file", (x) => {
  const path = testdata("models", x.file);
  const original = new Uint8Array(readFileSync(path));

  it("reads with the right metadata and entry list (Node reader)", async () => {
    const m = await readModelFile(path);
    expect(m.format).toBe(x.format);
    expect(m.path).toBe(path);
    expect(m.payloadKind).toBe("onnx");
    expect(m.license).toBeNull();
    expect(m.warnings).toEqual([]);
    expect(m.entries.map((e) => [e.name, e.size, e.crc32])).toEqual(x.entries);
    for (const e of m.entries) {
      expect(e).toMatchObject({
        method: "stored",
        utf8Flag: false,
        externalAttributes: ATTR,
        versionMadeBy: x.madeBy,
        dosDateTime: x.dosDateTime,
      });
      expect(e.compressedSize).toBe(e.size);
    }
    expect(m.metadataEntryName).toBe(x.entries[0]?.[0]);
    expect(m.modelEntryName).toBe(x.entries[1]?.[0]);
    expect(m.modelBytes.length).toBe(x.entries[1]?.[1]);
    x.check(m);
  });

  it("the in-memory reader gives the same result", async () => {
    const a = await readModelFile(path);
    const b = await readModelFileBytes(original, x.file);
    expect(b.entries).toEqual(a.entries);
    expect(b.metadata).toEqual(a.metadata);
    expect(Buffer.from(b.modelBytes).equals(Buffer.from(a.modelBytes))).toBe(true);
    expect(Buffer.from(b.metadataBytes).equals(Buffer.from(a.metadataBytes))).toBe(true);
  });

  it("rebuilds byte-identically from the parsed metadata + model bytes (same host byte and DOS time)", async () => {
    const m = await readModelFile(path);
    const first = m.entries[0];
    if (!first) throw new Error("no entries");
    const opts = { hostByte: (first.versionMadeBy >> 8) as 0 | 3, date: first.dosDateTime };
    const rebuilt =
      m.format === "czann"
        ? buildCzann({ metadata: m.metadata, model: m.modelBytes }, opts)
        : buildLegacy({ metadata: m.metadata, model: m.modelBytes }, opts);
    expect(Buffer.from(m.metadata.toBytes()).equals(Buffer.from(m.metadataBytes))).toBe(true);
    const again = await readModelFileBytes(rebuilt, "rebuilt");
    expect(again.entries).toEqual(m.entries);
    expect(rebuilt.length).toBe(original.length);
    expect(Buffer.from(rebuilt).equals(Buffer.from(original))).toBe(true);
  });
});
