/**
 * Streaming pack (`writeStreamedArchive`: the ONNX file looked at, CRC-32 by chunks, archive
 * written piece by piece) writes the same bytes as the whole-file path (`writeArchive`), for
 * the model.model of every real model, as .czann and legacy, with and without a licence.
 */
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readModelFile } from "../../src/container/node/index.js";
import { loadModelPayload, writeArchive } from "../../src/convert/node/index.js";
import { lookAtOnnxFile, writeStreamedArchive } from "../../src/convert/node/stream-pack.js";
import { czannToLegacy } from "../../src/convert/index.js";
import { ModelMetadata } from "../../src/metadata/index.js";
import { tempDir, testdata } from "../helpers/paths.js";

const models = readdirSync(testdata("models")).filter((f) => /\.cz(ann|model|seg)$/.test(f));
const date = new Date(2024, 4, 17, 13, 45, 30);

async function packBoth(onnx: string, metadata: Parameters<typeof writeArchive>[1], license: string | null): Promise<[Buffer, Buffer]> {
  const dir = await tempDir("czmodel-stream-pack-");
  const options = { date, hostByte: 3 as const, force: true };
  const old = await writeArchive(await loadModelPayload(onnx), metadata, license, join(dir, "old"), "m", options);
  const look = await lookAtOnnxFile(onnx);
  expect(look).toBeDefined();
  const streamed = await writeStreamedArchive(look!, metadata, license, join(dir, "new"), "m", options);
  expect(streamed.report).toEqual(old.report);
  expect(streamed.warnings).toEqual(old.warnings);
  // and the packed model is the ONNX file, byte for byte (CRC-checked by the reader)
  expect(Buffer.from((await readModelFile(streamed.path)).modelBytes).equals(await readFile(onnx))).toBe(true);
  return [await readFile(old.path), await readFile(streamed.path)];
}

describe("streaming pack writes the whole-file path's bytes", () => {
  it.each(models)("%s: its model.model packed again", async (m) => {
    const file = await readModelFile(testdata("models", m));
    const dir = await tempDir("czmodel-stream-src-");
    const onnx = join(dir, "model.onnx");
    await writeFile(onnx, file.modelBytes);
    const license = join(dir, "LICENSE.txt");
    await writeFile(license, "MIT licence text\n");
    for (const lic of [null, license]) {
      const [a, b] = await packBoth(onnx, file.metadata, lic);
      expect(b.equals(a)).toBe(true);
    }
    if (file.metadata instanceof ModelMetadata && file.metadata.classes?.length) {
      const [a, b] = await packBoth(onnx, czannToLegacy(file.metadata, {}, []), license);
      expect(b.equals(a)).toBe(true);
    }
  });

  it("a model with large initializers (weights skipped while looking, copied whole)", async () => {
    const dir = await tempDir("czmodel-stream-big-");
    const onnx = join(dir, "big.onnx");
    execFileSync("/usr/bin/python3", [
      "-c",
      `
import sys, numpy as np, onnx
from onnx import helper, TensorProto, numpy_helper
w = numpy_helper.from_array(np.arange(64 * 64 * 3, dtype=np.float32).reshape(1, 64, 64, 3), "w")
big = numpy_helper.from_array(np.arange(600000, dtype=np.float32), "unused_big")
g = helper.make_graph([helper.make_node("Add", ["input", "w"], ["output"])], "g",
    [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 64, 64, 3])],
    [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 64, 64, 3])], [w, big])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
m.ir_version = 7
open(sys.argv[1], "wb").write(m.SerializeToString())`,
      onnx,
    ]);
    const metadata = ModelMetadata.fromParams({ type: "Regression", inputShape: [64, 64, 3], outputShape: [64, 64, 3] }, "test");
    const [a, b] = await packBoth(onnx, metadata, null);
    expect(a.length).toBeGreaterThan(2_400_000);
    expect(b.equals(a)).toBe(true);
  });

  it("is not taken for what the whole-file path must word: a missing file, a folder, a non-ONNX file", async () => {
    const dir = await tempDir("czmodel-stream-no-");
    const pickle = join(dir, "forest.model");
    await writeFile(pickle, Uint8Array.of(0x80, 4, 0x95, 0, 0));
    expect(await lookAtOnnxFile(join(dir, "missing.onnx"))).toBeUndefined();
    expect(await lookAtOnnxFile(dir)).toBeUndefined();
    expect(await lookAtOnnxFile(pickle)).toBeUndefined();
  });
});
