import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readModelFileBytes, type ModelFile } from "../../src/container/index.js";
import { readModelFile } from "../../src/container/node/index.js";
import { tempDir } from "../helpers/paths.js";
import { rawZip, type RawEntry } from "./helpers/raw-zip.js";
import { rm } from "node:fs/promises";

const ONNX = new Uint8Array([0x08, 0x06, 0x12, 0x07, 0x74, 0x66, 0x32, 0x6f, 0x6e, 0x6e, 0x78]);
const PICKLE = new Uint8Array([0x80, 0x04, 0x95, 0x10, 0x00, 0x00]);
const GUID = "7a1c2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

// ZEN's pretty printed model.json: 2-space indent, CRLF, ModelDescription between MinOverlap and ModelName.
const ZEN_JSON = [
  "{",
  '  "Id": "0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a",',
  '  "Type": "Regression",',
  '  "InputShape": [',
  "    512,",
  "    512,",
  "    1",
  "  ],",
  '  "OutputShape": [',
  "    512,",
  "    512,",
  "    1",
  "  ],",
  '  "MinOverlap": [',
  "    128,",
  "    128",
  "  ],",
  '  "ModelDescription": "C:\\\\Users\\\\zen\\\\Documents\\\\N2V_tobacco_leaf.czann",',
  '  "ModelName": "N2V_tobacco_leaf_Whitened"',
  "}",
].join("\r\n");

const ZEN_RF_XML =
  '\ufeff<?xml version="1.0" encoding="utf-8"?><Model Version="1"><Id>' +
  GUID +
  "</Id><ModelName>XRM_Sandstone</ModelName><Status>Trained</Status><FeatureExtractor>Default</FeatureExtractor>" +
  '<Postprocessing>None</Postprocessing><ColorHandling>ConvertToMonochrome</ColorHandling><Channels><Item PixelType="Gray16" /></Channels>' +
  '<TrainingClasses><Item colR="255" colG="0" colB="0" LabelValue="1" Name="pore" /><Item colR="0" colG="255" colB="0" LabelValue="2" Name="grain" /><Item colR="0" colG="0" colB="255" LabelValue="3" Name="clay" /></TrainingClasses>' +
  "<TotalTileHeight>1024</TotalTileHeight><TotalTileWidth>1024</TotalTileWidth><ScaleInputsByBitdepth>true</ScaleInputsByBitdepth></Model>";

const zen = (e: RawEntry): RawEntry => ({ method: 8, flags: 0x0800, externalAttributes: 0, versionMadeBy: 0x0014, ...e });

let dir: string;
beforeAll(async () => {
  dir = await tempDir("czmodel-zen-");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Read the archive with both readers; they must agree. */
async function readBoth(name: string, bytes: Uint8Array): Promise<ModelFile> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  const a = await readModelFile(path);
  const b = await readModelFileBytes(bytes, path);
  expect(b.entries).toEqual(a.entries);
  expect(b.metadata).toEqual(a.metadata);
  expect(b.warnings).toEqual(a.warnings);
  expect(Buffer.from(b.modelBytes).equals(Buffer.from(a.modelBytes))).toBe(true);
  return a;
}

describe("files made by ZEN / arivis / hand edits", () => {
  it("ZEN .czann: DEFLATE, UTF-8 flag, attributes 0, CRLF indented JSON with ModelDescription", async () => {
    const m = await readBoth("N2V.czann", rawZip([zen({ name: "model.json", data: ZEN_JSON }), zen({ name: "model.model", data: ONNX })]));
    if (m.format !== "czann") throw new Error("format");
    expect(m.metadata.type).toBe("Regression");
    expect(m.metadata.minOverlap).toEqual([128, 128]);
    expect(m.metadata.modelName).toBe("N2V_tobacco_leaf_Whitened");
    expect(m.metadata.extra).toEqual({ ModelDescription: "C:\\Users\\zen\\Documents\\N2V_tobacco_leaf.czann" });
    expect(m.payloadKind).toBe("onnx");
    expect(m.entries.map((e) => [e.method, e.utf8Flag, e.externalAttributes])).toEqual([
      ["deflate", true, 0],
      ["deflate", true, 0],
    ]);
    expect(Buffer.from(m.metadataBytes).toString("utf8")).toBe(ZEN_JSON);
    expect(m.warnings).toEqual([]);
  });

  it("ZEN random-forest .czmodel: modelid= first, BOM + double-quoted declaration, Version 1, no BorderSize, pickle payload", async () => {
    const m = await readBoth(
      "XRM.czmodel",
      rawZip([
        zen({ name: `modelid=${GUID}`, data: "" }),
        zen({ name: `${GUID}.xml`, data: ZEN_RF_XML }),
        zen({ name: `${GUID}.model`, data: PICKLE }),
      ]),
    );
    if (m.format !== "czmodel") throw new Error("format");
    expect(m.metadata.version).toBe("1");
    expect(m.metadata.featureExtractor).toBe("Default");
    expect(m.metadata.borderSize).toBeUndefined();
    expect(m.metadata.classNames).toEqual(["pore", "grain", "clay"]);
    expect(m.metadata.classes[2]?.color).toEqual([0, 0, 255]);
    expect(m.metadata.tileSize).toEqual([1024, 1024]);
    expect(m.metadata.extraElement("ScaleInputsByBitdepth")).toBe("true");
    expect(m.payloadKind).toBe("pickle");
    expect(m.metadataEntryName).toBe(`${GUID}.xml`);
    expect(m.warnings).toEqual([
      `${join(dir, "XRM.czmodel")}: ${GUID}.xml: BorderSize: missing (ZEN-made file); give the border (context pixels per tile side) explicitly`,
    ]);
  });

  it("backslash entry names and upper-case model.json / model.model are found", async () => {
    const m = await readBoth(
      "bs.czann",
      rawZip([zen({ name: "export\\MODEL.JSON", data: ZEN_JSON }), zen({ name: "export\\Model.Model", data: ONNX, method: 0 })]),
    );
    expect(m.metadataEntryName).toBe("export\\MODEL.JSON");
    expect(m.modelEntryName).toBe("export\\Model.Model");
    expect(m.warnings).toEqual([]);
  });

  it("legacy names with backslashes, any order, and a zipped SavedModel payload", async () => {
    const savedModel = rawZip([{ name: "saved_model.pb", data: "x" }]);
    const xml = ZEN_RF_XML.replace("</Model>", "<BorderSize>16</BorderSize></Model>");
    const m = await readBoth(
      "sm.czseg",
      rawZip([
        zen({ name: `m\\${GUID}.model`, data: savedModel, method: 0 }),
        zen({ name: `m\\${GUID}.xml`, data: xml }),
        zen({ name: `modelid=${GUID}`, data: "" }),
      ]),
    );
    expect(m.format).toBe("czmodel");
    expect(m.payloadKind).toBe("savedmodel");
    expect(m.warnings).toEqual([]);
  });

  it("hand-edited .czann: DEFLATE, flags 0, attribute 0x20, JSON with a trailing newline", async () => {
    const json =
      '{"Id": "b6f04bbd-2955-4996-8578-43d02d24f093", "Type": "Regression", "InputShape": [512, 512, 5], "OutputShape": [512, 512, 5], "MinOverlap": [8, 8], "ModelName": "Simple_Kidney_RegressionModel", "Scaling": [1.0, 1.0]}\n';
    const m = await readBoth(
      "out5.czann",
      rawZip([
        { name: "model.json", data: json, method: 8, externalAttributes: 0x20 },
        { name: "model.model", data: ONNX, method: 8, externalAttributes: 0x20 },
      ]),
    );
    if (m.format !== "czann") throw new Error("format");
    expect(m.metadata.inputShape).toEqual([512, 512, 5]);
    expect(m.metadata.scaling).toEqual([1, 1]);
  });

  it("legacy guid mismatches and a missing modelid= entry are warnings", async () => {
    const other = "00000000-0000-4000-8000-000000000000";
    const xml = ZEN_RF_XML.replace("</Model>", "<BorderSize>8</BorderSize></Model>");
    const name = "mismatch.czmodel";
    const m = await readBoth(
      name,
      rawZip([
        { name: `${other}.xml`, data: xml },
        { name: `${other}.model`, data: ONNX },
      ]),
    );
    const p = join(dir, name);
    expect(m.warnings).toEqual([
      `${p}: no modelid=<guid> entry`,
      `${p}: ${other}.xml: the name's id ${other} differs from <Id> ${GUID}`,
      `${p}: ${other}.model: the name's id ${other} differs from <Id> ${GUID}`,
    ]);
  });

  it("a license entry is returned; further unknown entries are warnings", async () => {
    const m = await readBoth(
      "lic.czann",
      rawZip([
        { name: "model.json", data: ZEN_JSON },
        { name: "model.model", data: ONNX },
        { name: "license.txt", data: "MIT" },
        { name: "notes/readme.md", data: "x" },
      ]),
    );
    expect(m.license?.name).toBe("license.txt");
    expect(Buffer.from(m.license?.bytes ?? []).toString()).toBe("MIT");
    expect(m.warnings).toEqual([`${join(dir, "lic.czann")}: notes/readme.md: unexpected entry, ignored`]);
  });
});

describe("format detection by content", () => {
  it("a legacy file with a .json license is still legacy; a .czann named .zip is still CZANN", async () => {
    const xml = ZEN_RF_XML.replace("</Model>", "<BorderSize>8</BorderSize></Model>");
    const legacy = await readModelFileBytes(
      rawZip([
        { name: `${GUID}.xml`, data: xml },
        { name: `${GUID}.model`, data: ONNX },
        { name: "license.json", data: "{}" },
        { name: `modelid=${GUID}`, data: "" },
      ]),
      "x.bin",
    );
    expect(legacy.format).toBe("czmodel");
    expect(legacy.license?.name).toBe("license.json");
    const czann = await readModelFileBytes(
      rawZip([
        { name: "model.model", data: ONNX },
        { name: "model.json", data: ZEN_JSON },
      ]),
      "renamed.zip",
    );
    expect(czann.format).toBe("czann");
  });

  it("czmodel's own rule as a fallback: the first .json is the metadata (with a warning)", async () => {
    const m = await readModelFileBytes(
      rawZip([
        { name: "meta.json", data: ZEN_JSON },
        { name: "net.model", data: ONNX },
      ]),
      "f.czann",
    );
    expect(m.format).toBe("czann");
    expect(m.warnings).toEqual([
      'f.czann: no model.json entry; read the metadata from "meta.json"',
      'f.czann: no model.model entry; read the model from "net.model"',
    ]);
  });
});
