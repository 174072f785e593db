import { readFileSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CzmodelError } from "../../src/errors.js";
import { readModelFileBytes } from "../../src/container/index.js";
import { readModelFile } from "../../src/container/node/index.js";
import { tempDir, testdata } from "../helpers/paths.js";
import { rawZip } from "./helpers/raw-zip.js";

const ONNX = new Uint8Array([0x08, 0x07, 0x12, 0x04, 0x74, 0x65, 0x73, 0x74]);
const GUID = "27eaeeab-7e9a-4f9c-88bb-6e5b477d2241";
const JSON_OK =
  '{"Id": "3f13b6da-d9c4-4a01-8b92-a02951bb0397", "Type": "SingleClassSemanticSegmentation", "InputShape": [512, 512, 1], "OutputShape": [512, 512, 2], "MinOverlap": [64, 64], "Classes": ["Background", "Nucleus"], "ModelName": "m", "Scaling": [1.0, 1.0]}';
const XML_OK = `<?xml version='1.0' encoding='utf-8'?>\n<Model Version="3.1.0"><Id>${GUID}</Id><ModelName>n</ModelName><Status>Trained</Status><FeatureExtractor>DeepNeuralNetwork</FeatureExtractor><Postprocessing /><ColorHandling>SplitRgb</ColorHandling><Channels><Item PixelType="Gray16" /></Channels><TrainingClasses><Item colB="0" colG="0" colR="255" LabelValue="1" Name="Background" /><Item colB="0" colG="255" colR="0" LabelValue="2" Name="Nucleus" /></TrainingClasses><BorderSize>8</BorderSize></Model>`;
const czann = (json: string, extra: Parameters<typeof rawZip>[0] = []) =>
  rawZip([{ name: "model.json", data: json }, { name: "model.model", data: ONNX }, ...extra]);
const legacy = (xml: string) =>
  rawZip([
    { name: `${GUID}.xml`, data: xml },
    { name: `${GUID}.model`, data: ONNX },
    { name: `modelid=${GUID}`, data: "" },
  ]);

let dir: string;
beforeAll(async () => {
  dir = await tempDir("czmodel-bad-");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Both readers must refuse `bytes` with `${where}: ${message}` (where = the name / the path). */
async function expectRefused(name: string, bytes: Uint8Array, message: string, code?: string): Promise<void> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  for (const [where, run] of [
    [name, () => readModelFileBytes(bytes, name)],
    [path, () => readModelFile(path)],
  ] as const) {
    let error: unknown;
    try {
      await run();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CzmodelError);
    expect((error as CzmodelError).message).toBe(`${where}: ${message}`);
    if (code) expect((error as CzmodelError).code).toBe(code);
  }
}

describe("bad model files: each refused with a clear CzmodelError naming file and entry", () => {
  it("not a zip", async () => {
    await expectRefused(
      "text.czann",
      new TextEncoder().encode("hello, I am not a zip file"),
      "not a ZIP archive (no end-of-central-directory record); model files (.czann, .czmodel, .czseg) are ZIP archives",
      "INVALID_CONTAINER",
    );
  });

  it("truncated zip", async () => {
    const full = new Uint8Array(readFileSync(testdata("models", "simple_nuclei_segmodel.czann")));
    await expectRefused(
      "cut.czann",
      full.subarray(0, 2000),
      "truncated ZIP archive: the end-of-central-directory record is missing",
      "INVALID_CONTAINER",
    );
  });

  it("empty file", async () => {
    await expectRefused(
      "empty.czann",
      new Uint8Array(0),
      "not a ZIP archive (no end-of-central-directory record); model files (.czann, .czmodel, .czseg) are ZIP archives",
    );
  });

  it("missing model.json", async () => {
    await expectRefused(
      "nojson.czann",
      rawZip([{ name: "model.model", data: ONNX }]),
      'no model.json entry (entries: "model.model") (allowed: a .czann archive with model.json and model.model)',
    );
  });

  it("missing model.model", async () => {
    await expectRefused(
      "nomodel.czann",
      rawZip([{ name: "model.json", data: JSON_OK }]),
      'no model.model entry (entries: "model.json") (allowed: a .czann archive with model.json and model.model)',
    );
  });

  it("missing <guid>.xml", async () => {
    await expectRefused(
      "noxml.czmodel",
      rawZip([
        { name: `${GUID}.model`, data: ONNX },
        { name: `modelid=${GUID}`, data: "" },
      ]),
      `no <guid>.xml entry (entries: "${GUID}.model", "modelid=${GUID}") (allowed: a .czmodel/.czseg archive with <guid>.xml and <guid>.model)`,
    );
  });

  it("missing <guid>.model", async () => {
    await expectRefused(
      "nomodel.czseg",
      rawZip([
        { name: `${GUID}.xml`, data: XML_OK },
        { name: `modelid=${GUID}`, data: "" },
      ]),
      `no <guid>.model entry (entries: "${GUID}.xml", "modelid=${GUID}") (allowed: a .czmodel/.czseg archive with <guid>.xml and <guid>.model)`,
    );
  });

  it("a zip that is no model file at all", async () => {
    await expectRefused(
      "other.zip",
      rawZip([{ name: "a.txt", data: "x" }]),
      'neither a CZANN (model.json) nor a legacy (<guid>.xml) model file (entries: "a.txt") (allowed: a .czann, .czmodel or .czseg archive)',
    );
  });

  it("malformed JSON", async () => {
    await expectRefused(
      "badjson.czann",
      czann('{"Id": "x",\n "Type": }'),
      'model.json: malformed JSON: unexpected character "}" at line 2, column 10',
      "INVALID_METADATA",
    );
  });

  it("model.json that is not UTF-8", async () => {
    await expectRefused(
      "latin1.czann",
      rawZip([
        { name: "model.json", data: new Uint8Array([0x7b, 0xe9, 0x7d]) },
        { name: "model.model", data: ONNX },
      ]),
      "model.json: text is not valid UTF-8 (allowed: UTF-8 text)",
    );
  });

  it("malformed XML", async () => {
    await expectRefused(
      "badxml.czmodel",
      legacy(XML_OK.replace("</ModelName>", "")),
      "27eaeeab-7e9a-4f9c-88bb-6e5b477d2241.xml: malformed XML at line 2, column 462: closing tag </Model> does not match <ModelName> opened at line 2, column 69",
    );
  });

  it("billion-laughs XML", async () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]><Model Version="3.1.0"><Id>${GUID}</Id><ModelName>&lol2;</ModelName></Model>`;
    await expectRefused(
      "lol.czmodel",
      legacy(bomb),
      `${GUID}.xml: XML with a DOCTYPE or ENTITY declaration is refused (entity expansion is not allowed) (allowed: plain XML without a DTD)`,
    );
  });

  it("unknown Type", async () => {
    await expectRefused(
      "type.czann",
      czann(JSON_OK.replace("SingleClassSemanticSegmentation", "Denoising")),
      'model.json: Type: "Denoising" is not a known model type (allowed: one of SingleClassInstanceSegmentation, MultiClassInstanceSegmentation, SingleClassSemanticSegmentation, MultiClassSemanticSegmentation, SingleClassClassification, MultiClassClassification, ObjectDetection, Regression)',
    );
  });

  it("unknown PixelType", async () => {
    await expectRefused(
      "pt.czmodel",
      legacy(XML_OK.replace("Gray16", "Gray12")),
      `${GUID}.xml: Channels/Item[1]@PixelType: "Gray12" is not a known pixel type (allowed: one of Gray8, Gray16, Gray32Float, Bgr24, Bgr48, Bgr96Float, Bgra32, Gray64ComplexFloat, Bgr192ComplexFloat)`,
    );
  });

  it("class-count mismatch", async () => {
    await expectRefused(
      "classes.czann",
      czann(JSON_OK.replace('["Background", "Nucleus"]', '["Background", "Nucleus", "Cell"]')),
      'model.json: Classes: ["Background", "Nucleus", "Cell"] has 3 classes but OutputShape [512, 512, 2] has 2 channels (allowed: one class name per output channel)',
    );
  });

  it("odd MinOverlap", async () => {
    await expectRefused(
      "odd.czann",
      czann(JSON_OK.replace("[64, 64]", "[64, 7]")),
      "model.json: MinOverlap[1]: 7 is odd (allowed: an even integer >= 0)",
    );
  });

  it("invalid UUID", async () => {
    await expectRefused(
      "uuid.czann",
      czann(JSON_OK.replace("3f13b6da-d9c4-4a01-8b92-a02951bb0397", "3f13b6da")),
      'model.json: Id: "3f13b6da" is not a UUID (allowed: a UUID such as 3f13b6da-d9c4-4a01-8b92-a02951bb0397)',
    );
  });

  it("zip bomb: metadata entry declaring too many bytes", async () => {
    const bytes = rawZip([
      { name: "model.json", data: JSON_OK, method: 8, declaredSize: 50 * 1024 * 1024 },
      { name: "model.model", data: ONNX },
    ]);
    await expectRefused(
      "big.czann",
      bytes,
      "model.json: entry declares 52428800 bytes, more than the limit of 1048576 (zip bomb?) (allowed: at most 1048576 bytes)",
      "INVALID_CONTAINER",
    );
  });

  it("zip bomb: compression ratio above 1000:1", async () => {
    const bytes = rawZip([
      { name: "model.json", data: JSON_OK },
      { name: "model.model", data: new Uint8Array(100), method: 8, declaredSize: 2_000_000_000 },
    ]);
    await expectRefused(
      "ratio.czann",
      bytes,
      "model.model: entry compresses 2000000000 bytes into 5 (ratio 400000000:1, zip bomb?) (allowed: a compression ratio up to 1000:1)",
    );
  });

  it("zip bomb: entry inflating past its declared size", async () => {
    const bytes = rawZip([
      { name: "model.json", data: JSON_OK },
      { name: "model.model", data: new Uint8Array(200_000), method: 8, declaredSize: 1000 },
    ]);
    await expectRefused("inflate.czann", bytes, "model.model: entry inflates to more than its declared 1000 bytes (zip bomb?)");
  });

  it("CRC-32 mismatch", async () => {
    const bytes = rawZip([
      { name: "model.json", data: JSON_OK },
      { name: "model.model", data: ONNX, crc32: 0x12345678 },
    ]);
    const path = join(dir, "crc.czann");
    await writeFile(path, bytes);
    const err = await readModelFileBytes(bytes, "crc.czann").catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      /^crc\.czann: model\.model: CRC-32 mismatch: data has [0-9a-f]{8}, the directory says 12345678 \(corrupt file\)$/,
    );
    const err2 = await readModelFile(path).catch((e: unknown) => e);
    expect((err2 as Error).message).toBe(`${path}: ${(err as Error).message.slice("crc.czann: ".length)}`);
  });

  it("unsupported compression method", async () => {
    const bytes = rawZip([
      { name: "model.json", data: JSON_OK, method: 12 },
      { name: "model.model", data: ONNX },
    ]);
    await expectRefused(
      "bz.czann",
      bytes,
      "model.json: compression method 12 is not supported (allowed: 0 (stored) or 8 (deflate))",
      "UNSUPPORTED",
    );
  });

  it("encrypted entry", async () => {
    // A real ZipCrypto entry: 12-byte encryption header before the (stored) data.
    const body = new TextEncoder().encode(JSON_OK);
    const rawData = new Uint8Array(12 + body.length);
    rawData.set(body, 12);
    const bytes = rawZip([
      { name: "model.json", data: JSON_OK, flags: 1, rawData },
      { name: "model.model", data: ONNX },
    ]);
    await expectRefused("enc.czann", bytes, "model.json: entry is encrypted (allowed: unencrypted entries)", "UNSUPPORTED");
  });

  it("a file that does not exist (Node reader)", async () => {
    const path = join(dir, "missing.czann");
    await expect(readModelFile(path)).rejects.toThrow(`${path}: file not found`);
  });
});
