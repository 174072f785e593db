import { readFileSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { crc32 as zlibCrc32 } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildCzann,
  buildLegacy,
  crc32,
  dateToDos,
  dosToDate,
  outputFileName,
  readModelFileBytes,
  sniffPayload,
  writeZip,
  zipHeaders,
} from "../../src/container/index.js";
import { readModelFile, writeFileAtomic } from "../../src/container/node/index.js";
import { LegacyModelMetadata, ModelMetadata } from "../../src/metadata/index.js";
import { tempDir, testdata } from "../helpers/paths.js";

let dir: string;
beforeAll(async () => {
  dir = await tempDir("czmodel-misc-");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("outputFileName (czmodel naming, .czseg not doubled)", () => {
  it.each([
    [undefined, "czann", "DNNModel.czann"],
    [undefined, "czmodel", "DNNModel.czmodel"],
    ["x", "czann", "x.czann"],
    ["x.CZANN", "czann", "x.CZANN"],
    ["x.v2", "czann", "x.v2.czann"],
    ["x.czseg", "czmodel", "x.czseg"],
    ["x.CzModel", "czmodel", "x.CzModel"],
    ["x.czann", "czmodel", "x.czann.czmodel"],
    ["x.czseg", "czann", "x.czseg.czann"],
  ] as const)("%s (%s) → %s", (name, kind, out) => {
    expect(outputFileName(name, kind)).toBe(out);
  });
});

describe("sniffPayload", () => {
  it.each([
    [[0x08, 0x07], "onnx"],
    [[0x50, 0x4b, 0x03, 0x04, 0], "savedmodel"],
    [[0x80, 0x04, 0x95], "pickle"],
    [[0x7b, 0x22], "unknown"],
    [[], "unknown"],
  ] as const)("%j → %s", (bytes, kind) => {
    expect(sniffPayload(new Uint8Array(bytes))).toBe(kind);
  });
});

describe("CRC-32 and DOS time", () => {
  it("table CRC equals zlib.crc32 on odd lengths and continuations", () => {
    const data = new Uint8Array(100_003).map((_, i) => (i * 2654435761) >>> 24);
    expect(crc32(data)).toBe(zlibCrc32(data) >>> 0);
    expect(crc32(data.subarray(5000), crc32(data.subarray(0, 5000)))).toBe(zlibCrc32(data) >>> 0);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it("DOS fields use local wall-clock time with 2-second resolution", () => {
    const d = new Date(2022, 3, 29, 15, 35, 13);
    const dos = dateToDos(d);
    expect(dos).toEqual({ date: ((2022 - 1980) << 9) | (4 << 5) | 29, time: (15 << 11) | (35 << 5) | 6 });
    expect(dosToDate(dos).getTime()).toBe(new Date(2022, 3, 29, 15, 35, 12).getTime());
    expect(() => dateToDos(new Date(1979, 11, 31))).toThrow(
      "ZIP timestamps must be between 1980 and 2107, got 1979 (allowed: a date in 1980..2107)",
    );
  });
});

describe("zip writer limits", () => {
  it("refuses duplicate names and entries needing ZIP64", () => {
    expect(() =>
      writeZip([
        { name: "a", data: new Uint8Array(1) },
        { name: "a", data: new Uint8Array(1) },
      ]),
    ).toThrow('duplicate ZIP entry name "a"');
    expect(() => zipHeaders([{ name: "big", size: 2 ** 32, crc32: 0 }])).toThrow(
      'entry "big" has 4294967296 bytes; sizes over 4 GiB need ZIP64, which model files never use (allowed: at most 4294967295 bytes per entry)',
    );
  });

  it("a non-ASCII name gets the UTF-8 flag; made-by follows the host byte", async () => {
    const z = writeZip([{ name: "ü.txt", data: new Uint8Array([1]) }], { hostByte: 0, date: new Date(2020, 0, 1) });
    const dv = new DataView(z.buffer);
    expect(dv.getUint16(6, true)).toBe(0x0800);
    const cd = z.length - 22 - (46 + 6);
    expect(dv.getUint16(cd + 4, true)).toBe(0x0014);
  });
});

describe("model files built in memory and written atomically", () => {
  const metadata = ModelMetadata.fromParams({
    id: "3f13b6da-d9c4-4a01-8b92-a02951bb0397",
    type: "Regression",
    inputShape: [8, 8, 1],
    outputShape: [8, 8, 1],
    minOverlap: [2, 2],
  });
  const model = new Uint8Array(200_000).map((_, i) => (i * 31) & 0xff);
  model[0] = 0x08;
  const date = new Date(2024, 5, 1, 12, 0, 0);

  it("a model read from a file gives the same bytes on disk as buildCzann in memory", async () => {
    const modelPath = join(dir, "model.onnx");
    await writeFile(modelPath, model);
    const out = join(dir, "streamed.czann");
    const fromFile = new Uint8Array(await readFile(modelPath));
    await writeFileAtomic(
      out,
      buildCzann({ metadata, model: fromFile, license: { name: "LICENSE", bytes: new Uint8Array([65]) } }, { hostByte: 3, date }),
    );
    const expected = buildCzann({ metadata, model, license: { name: "LICENSE", bytes: new Uint8Array([65]) } }, { hostByte: 3, date });
    expect(Buffer.from(await readFile(out)).equals(Buffer.from(expected))).toBe(true);
    const back = await readModelFile(out);
    expect(back.warnings).toEqual([]);
    expect(back.license?.name).toBe("LICENSE");
  });

  it("writes a legacy file from memory that reads back with the same metadata", async () => {
    const legacy = LegacyModelMetadata.fromParams({
      colorHandling: "SplitRgb",
      pixelTypes: ["Gray8"],
      classes: ["bg", "fg", "edge"],
      borderSize: 4,
      modelName: "net.onnx",
    });
    const out = join(dir, "x.czmodel");
    await writeFileAtomic(out, buildLegacy({ metadata: legacy, model }, { date }));
    const back = await readModelFileBytes(new Uint8Array(readFileSync(out)), "x.czmodel");
    if (back.format !== "czmodel") throw new Error("format");
    expect(back.metadata).toEqual(legacy);
    expect(back.entries.map((e) => e.name)).toEqual([`${legacy.id}.xml`, `${legacy.id}.model`, `modelid=${legacy.id}`]);
    expect(back.warnings).toEqual([]);
  });

  it("a .czseg from the test data re-packs through buildLegacy + writeFileAtomic byte-identically", async () => {
    const src = testdata("models", "simple_nuclei_segmodel_legacy.czseg");
    const m = await readModelFile(src);
    if (m.format !== "czmodel") throw new Error("format");
    const out = join(dir, "copy.czseg");
    await writeFileAtomic(
      out,
      buildLegacy({ metadata: m.metadata, model: m.modelBytes }, { hostByte: 0, date: m.entries[0]!.dosDateTime }),
    );
    expect(Buffer.from(await readFile(out)).equals(readFileSync(src))).toBe(true);
  });
});
