/**
 * Test helpers for the ONNX area: read the real models out of the shared .czann/.czseg files,
 * load committed fixtures, run models with onnxruntime-node, and run Debian's ONNX checker.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { ort } from "../../src/onnx/node/runtime.js";
import { fixture, testdata } from "../helpers/paths.js";

export { ort };

/** The ONNX payload of one of the real model files in ../shared/testdata/models. */
export function realModel(file: string): Uint8Array {
  const zip = unzipSync(new Uint8Array(readFileSync(testdata("models", file))));
  const entry = Object.keys(zip).find((n) => n.endsWith(".model"));
  if (!entry) throw new Error(`${file}: no .model entry`);
  return zip[entry]!;
}

export const REAL_MODELS = [
  "simple_nuclei_segmodel.czann",
  "simple_kidney_regmodel.czann",
  "simple_pytorch_nuclei_segmodel_pytorch.czann",
  "simple_nuclei_segmodel_legacy.czseg",
] as const;

export function onnxFixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fixture("onnx", name)));
}

export function jsonFixture<T>(name: string): T {
  return JSON.parse(readFileSync(fixture("onnx", name), "utf8")) as T;
}

/** Run a model on one float32/uint8/uint16 input; returns the first output's data and dims. */
export async function runModel(
  bytes: Uint8Array,
  data: Float32Array | Uint8Array | Uint16Array,
  dims: number[],
): Promise<{ data: Float32Array; dims: number[] }> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const type = data instanceof Float32Array ? "float32" : data instanceof Uint8Array ? "uint8" : "uint16";
    const feeds = { [session.inputNames[0]!]: new ort.Tensor(type, data, dims) };
    const result = await session.run(feeds);
    const out = result[session.outputNames[0]!]!;
    return { data: out.data as Float32Array, dims: [...out.dims] };
  } finally {
    await session.release();
  }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const PY = "/usr/bin/python3";

/** True when Debian's python3 with onnx is available. */
export function hasPythonOnnx(): boolean {
  if (!existsSync(PY)) return false;
  return spawnSync(PY, ["-c", "import onnx"], { stdio: "ignore" }).status === 0;
}

/**
 * Run `onnx.checker.check_model(full_check=True)` (Debian python3-onnx 1.12) on each model.
 * Returns one line per model: `ok` or the checker's error.
 */
export function checkWithPython(models: Record<string, Uint8Array>, dir: string): Record<string, string> {
  const paths: string[] = [];
  for (const [name, bytes] of Object.entries(models)) {
    const p = join(dir, `${name.replace(/[^a-zA-Z0-9_.-]/g, "_")}.onnx`);
    writeFileSync(p, bytes);
    paths.push(p);
  }
  const script = [
    "import sys, onnx",
    "for p in sys.argv[1:]:",
    "    try:",
    "        onnx.checker.check_model(onnx.load(p), full_check=True)",
    "        print('ok')",
    "    except Exception as e:",
    "        print(('ERR ' + str(e)).replace('\\n', ' '))",
  ].join("\n");
  const out = execFileSync(PY, ["-c", script, ...paths], { encoding: "utf8" })
    .trim()
    .split("\n");
  const names = Object.keys(models);
  return Object.fromEntries(names.map((n, i) => [n, out[i] ?? "no output"]));
}

import { create } from "@bufbuild/protobuf";
import { ModelProtoSchema, OperatorSetIdProtoSchema, GraphProtoSchema } from "onnx-buf";
import { encodeModel } from "../../src/onnx/model-io.js";
import { makeNode, makeTensorValueInfo, type Dim } from "../../src/onnx/graph/nodes.js";

/** IR version that goes with each default-domain opset (onnx/onnx docs/Versioning.md). */
export const IR_FOR_OPSET: Record<number, number> = { 9: 4, 10: 5, 11: 6, 12: 7, 13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 8 };

/** A one-node model `y = Identity(x)` (or another one-input elementwise op) with the given input type and dims. */
export function identityModel(opset: number, elemType: number, dims: Dim[], opType = "Identity"): Uint8Array {
  const model = create(ModelProtoSchema, {
    irVersion: BigInt(IR_FOR_OPSET[opset]!),
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: "", version: BigInt(opset) })],
    producerName: "czmodel-test",
    graph: create(GraphProtoSchema, {
      name: "identity",
      node: [makeNode(opType, ["x"], ["y"], opType.toLowerCase())],
      input: [makeTensorValueInfo("x", elemType, dims)],
      output: [makeTensorValueInfo("y", elemType, dims)],
    }),
  });
  return encodeModel(model);
}
