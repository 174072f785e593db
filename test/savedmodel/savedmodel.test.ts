/**
 * SavedModel inspection and zipping, against the synthetic SavedModel folder written by
 * scripts/fixtures/onnx_savedmodel.py (a hand-encoded saved_model.pb: TensorFlow cannot run
 * here) and the expectations that script wrote next to it (Python os.walk order, names sorted).
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { CzmodelError } from "../../src/errors.js";
import { summarizeSavedModel } from "../../src/savedmodel/summary.js";
import { listSavedModelFiles, zipSavedModelFolder } from "../../src/savedmodel/node/zip-folder.js";
import { summarizeZippedSavedModel } from "../../src/savedmodel/zipped.js";
import { fixture, tempDir } from "../helpers/paths.js";

const dir = fixture("onnx", "savedmodel");
interface Expected {
  tags: string[];
  tensorflowVersion: string;
  methodName: string;
  signatures: string[];
  inputs: unknown[];
  outputs: unknown[];
  zipOrder: string[];
  sizes: Record<string, number>;
}
const expected = JSON.parse(await readFile(fixture("onnx", "savedmodel_expected.json"), "utf8")) as Expected;

describe("summarizeSavedModel", () => {
  it("reads the serving_default signature of the meta graph tagged serve", async () => {
    const s = summarizeSavedModel(new Uint8Array(await readFile(join(dir, "saved_model.pb"))));
    expect(s.tags).toEqual(expected.tags);
    expect(s.tensorflowVersion).toBe(expected.tensorflowVersion);
    expect(s.methodName).toBe(expected.methodName);
    expect(s.signatures).toEqual(expected.signatures);
    expect(s.inputs).toEqual(expected.inputs);
    expect(s.outputs).toEqual(expected.outputs);
  });

  it("rejects bytes that are not a SavedModel and one without serving_default", () => {
    const bad = () => summarizeSavedModel(new Uint8Array([0x0a, 0x05, 1, 2]), "m/saved_model.pb");
    expect(bad).toThrow(CzmodelError);
    expect(bad).toThrow(/^m\/saved_model\.pb: not a TensorFlow SavedModel: malformed protobuf/);
    // SavedModel { meta_graphs { meta_info_def { tags: "serve" } } }
    const noSig = new Uint8Array([0x12, 0x09, 0x0a, 0x07, 0x22, 0x05, ...new TextEncoder().encode("serve")]);
    expect(() => summarizeSavedModel(noSig)).toThrow(/has no "serving_default" signature/);
    expect(() => summarizeSavedModel(new Uint8Array([0x08, 0x01]))).toThrow(/holds no meta graph/);
  });
});

describe("zipSavedModelFolder", () => {
  it("lists files only, os.walk order with sorted names", async () => {
    expect(await listSavedModelFiles(dir)).toEqual(expected.zipOrder);
  });

  it("writes a STORED zip with exactly those entries and contents", async () => {
    const zip = await zipSavedModelFolder(dir);
    const entries = unzipSync(zip);
    expect(Object.keys(entries)).toEqual(expected.zipOrder);
    for (const [name, size] of Object.entries(expected.sizes)) {
      const onDisk = await readFile(join(dir, ...name.split("/")));
      expect(Buffer.from(entries[name]!).equals(onDisk)).toBe(true);
      expect(entries[name]!.length).toBe(size);
    }
    // every local header says method 0 (STORED): scan the local file headers
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    let pos = 0;
    let count = 0;
    while (view.getUint32(pos, true) === 0x04034b50) {
      expect(view.getUint16(pos + 8, true)).toBe(0);
      const compressed = view.getUint32(pos + 18, true);
      pos += 30 + view.getUint16(pos + 26, true) + view.getUint16(pos + 28, true) + compressed;
      count++;
    }
    expect(count).toBe(expected.zipOrder.length);
    // and the zipped payload can be inspected in memory
    expect(summarizeZippedSavedModel(zip).inputs).toEqual(expected.inputs);
  });

  it("refuses a folder without saved_model.pb with the folder in the message", async () => {
    const tmp = await tempDir();
    await mkdir(join(tmp, "variables"));
    await writeFile(join(tmp, "variables", "x"), "x");
    await expect(zipSavedModelFolder(tmp)).rejects.toThrow(`${tmp}: not a TensorFlow SavedModel: saved_model.pb is missing`);
  });
});
