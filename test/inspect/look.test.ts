/**
 * The streaming look (`lookAtModelFile`: payload scanned, weights skipped) gives the same
 * `inspect --json` description and the same `validate --json` report as reading the whole
 * payload, for every real model, STORED and deflated, for a model whose initializers are large
 * enough to be skipped (built with python3-onnx), and for broken payloads.
 */
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readModelFile } from "../../src/container/node/index.js";
import { describeModelFile, describeModelLook } from "../../src/inspect/describe.js";
import { lookAtModelFile, validateFile } from "../../src/node-api.js";
import { decodeModel, summarizeOnnx } from "../../src/onnx/index.js";
import { onnxSkeleton } from "../../src/onnx/skeleton.js";
import { validateModel } from "../../src/validate/model.js";
import { tempDir, testdata } from "../helpers/paths.js";

const PY = String.raw`
import sys, zipfile, numpy as np, onnx
from onnx import helper, TensorProto, numpy_helper
src, out = sys.argv[1], sys.argv[2]
def rezip(path, entries, method):
    with zipfile.ZipFile(path, "w", method) as z:
        for name, data in entries: z.writestr(name, data)
with zipfile.ZipFile(src) as z:
    entries = [(i.filename, z.read(i.filename)) for i in z.infolist()]
rezip(out + "/deflated.czann", entries, zipfile.ZIP_DEFLATED)
model_name = [n for n, _ in entries if n.endswith(".model")][0]
payload = dict(entries)[model_name]
rezip(out + "/truncated.czann", [(n, payload[: len(payload) // 2] if n == model_name else d) for n, d in entries], zipfile.ZIP_STORED)
rezip(out + "/truncated-deflated.czann", [(n, payload[: len(payload) // 2] if n == model_name else d) for n, d in entries], zipfile.ZIP_DEFLATED)
bad = bytearray(open(out + "/deflated.czann", "rb").read())
for sig, crc_at, name_at in ((b"PK\x03\x04", 14, 30), (b"PK\x01\x02", 16, 46)):
    i = bad.find(sig)
    while i >= 0:
        n = int.from_bytes(bad[i + name_at - 4 if sig == b"PK\x03\x04" else i + 28:][:2], "little")
        if bytes(bad[i + name_at:i + name_at + n]) == model_name.encode():
            bad[i + crc_at] ^= 0xFF
        i = bad.find(sig, i + 4)
open(out + "/bad-crc-deflated.czann", "wb").write(bytes(bad))
rezip(out + "/lying-length.czann", [(n, b"\x08\x07\x3a\xff\xff\xff\xff\x07" if n == model_name else d) for n, d in entries], zipfile.ZIP_STORED)
w = numpy_helper.from_array(np.arange(256 * 256 * 3, dtype=np.float32).reshape(1, 256, 256, 3), "big_raw")
w2 = helper.make_tensor("big_floats", TensorProto.FLOAT, [1, 256, 256, 3], np.ones(256 * 256 * 3, dtype=np.float32).tolist())
axes = numpy_helper.from_array(np.array([1, 2], dtype=np.int64), "axes")
nodes = [
    helper.make_node("Add", ["input", "big_raw"], ["a"]),
    helper.make_node("Mul", ["a", "big_floats"], ["b"]),
    helper.make_node("ReduceMean", ["b", "axes"], ["m"], keepdims=1),
    helper.make_node("Sub", ["b", "m"], ["output"]),
]
graph = helper.make_graph(nodes, "big", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 256, 256, 3])],
    [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 256, 256, 3])], [w, w2, axes])
big = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], producer_name="look-test")
big.ir_version = 8
data = big.SerializeToString()
meta = b'{"Id": "b1a5e2a4-2d0c-4a3b-9a51-1f0e7a3c9b11", "Type": "Regression", "InputShape": [256, 256, 3], "OutputShape": [256, 256, 3], "MinOverlap": [0, 0], "Classes": [], "ModelName": "big", "MinZenVersion": "3.6"}'
rezip(out + "/big-stored.czann", [("model.json", meta), ("model.model", data)], zipfile.ZIP_STORED)
rezip(out + "/big-deflated.czann", [("model.json", meta), ("model.model", data)], zipfile.ZIP_DEFLATED)
`;

async function oldValidate(path: string) {
  const model = await readModelFile(path);
  const { payload: _payload, ...report } = validateModel(model, {});
  return { format: model.format, ...report };
}

async function expectSameAsWhole(path: string): Promise<void> {
  const whole = await readModelFile(path).then(describeModelFile);
  const looked = describeModelLook(await lookAtModelFile(path));
  expect(JSON.stringify(looked)).toBe(JSON.stringify(whole));
  // and read by range (STORED entries), as a payload over 64 MiB is
  const ranged = describeModelLook(await lookAtModelFile(path, { rangedFrom: 0 }));
  expect(JSON.stringify(ranged)).toBe(JSON.stringify(whole));
  expect(JSON.stringify(await validateFile(path))).toBe(JSON.stringify(await oldValidate(path)));
}

const models = readdirSync(testdata("models")).filter((f) => /\.cz(ann|model|seg)$/.test(f));

describe("streaming look equals the whole-payload read", () => {
  const variants: Record<string, string> = {};
  beforeAll(async () => {
    for (const m of models) {
      const dir = await tempDir("czmodel-look-");
      execFileSync("/usr/bin/python3", ["-c", PY, testdata("models", m), dir]);
      variants[m] = dir;
    }
  }, 60_000);

  it.each(models)("%s (STORED, as shipped)", async (m) => {
    await expectSameAsWhole(testdata("models", m));
  });

  it.each(models)("%s re-zipped with DEFLATE, truncated payload (STORED and deflated), lying field length", async (m) => {
    for (const v of ["deflated.czann", "truncated.czann", "truncated-deflated.czann", "lying-length.czann"])
      await expectSameAsWhole(join(variants[m]!, v));
    // a deflated payload is still CRC-checked, though only its skeleton is kept
    await expect(lookAtModelFile(join(variants[m]!, "bad-crc-deflated.czann"))).rejects.toThrow(/CRC/);
    await expect(readModelFile(join(variants[m]!, "bad-crc-deflated.czann"))).rejects.toThrow(/CRC/);
    const truncated = describeModelLook(await lookAtModelFile(join(variants[m]!, "truncated.czann")));
    expect(truncated.model.note).toMatch(/protobuf|ONNX/);
  });

  it("skips large initializers (raw_data and packed floats) and keeps small constants", async () => {
    const dir = variants[models[0]!]!;
    for (const v of ["big-stored.czann", "big-deflated.czann"]) {
      const path = join(dir, v);
      await expectSameAsWhole(path);
      const look = await lookAtModelFile(path);
      expect(look.modelSize).toBeGreaterThan(1_500_000);
      expect(look.payload.onnx?.inputs).toEqual([{ name: "input", type: "float32", shape: [1, 256, 256, 3] }]);
      // the ReduceMean over H and W is found from the small `axes` initializer the skeleton kept
      expect(look.payload.imageStatistics?.map((s) => s.opType)).toEqual(["ReduceMean"]);
    }
    // the skeleton itself: small, and it decodes to the same summary as the whole payload
    const whole = (await readModelFile(join(dir, "big-stored.czann"))).modelBytes;
    let given = 0;
    const skeleton = await onnxSkeleton(
      {
        next: async () => {
          if (given >= whole.length) return null;
          const chunk = whole.subarray(given, given + 4096);
          given += chunk.length;
          return chunk;
        },
      },
      whole.length,
    );
    expect(skeleton.length).toBeLessThan(2000);
    expect(summarizeOnnx(decodeModel(skeleton))).toEqual(summarizeOnnx(decodeModel(whole)));
    expect(decodeModel(skeleton).graph?.initializer.map((t) => [t.name, t.dims.map(Number), t.dataType])).toEqual([
      ["big_raw", [1, 256, 256, 3], 1],
      ["big_floats", [1, 256, 256, 3], 1],
      ["axes", [2], 7],
    ]);
    expect((await readFile(join(dir, "big-stored.czann"))).length).toBeGreaterThan(1_500_000);
  });
});
