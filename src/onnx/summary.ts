/**
 * What an ONNX payload declares: IR version, opset imports, producer, and the graph's real
 * inputs and outputs (initializers that old IR versions also list as inputs are left out).
 * Isomorphic.
 */
import type { ModelProto, ValueInfoProto } from "onnx-buf";
import { decodeModel } from "./model-io.js";
import { onnxTypeName, type TensorSummary } from "./tensor-types.js";

export type { TensorSummary } from "./tensor-types.js";

export interface OnnxSummary {
  irVersion: number;
  /** Every opset import, `domain` "" being the default ONNX domain (`ai.onnx`). */
  opset: { domain: string; version: number }[];
  /** Version of the default domain ("" or "ai.onnx"); 0 when the model imports none. */
  defaultOpset: number;
  producer: { name: string; version: string };
  inputs: TensorSummary[];
  outputs: TensorSummary[];
}

export function summarizeOnnx(model: Uint8Array | ModelProto): OnnxSummary {
  const m = model instanceof Uint8Array ? decodeModel(model) : model;
  const graph = m.graph;
  const initializerNames = new Set((graph?.initializer ?? []).map((t) => t.name));
  const opset = m.opsetImport.map((o) => ({ domain: o.domain, version: Number(o.version) }));
  return {
    irVersion: Number(m.irVersion),
    opset,
    defaultOpset: defaultOpsetOf(m),
    producer: { name: m.producerName, version: m.producerVersion },
    inputs: (graph?.input ?? []).filter((v) => !initializerNames.has(v.name)).map(summarizeValueInfo),
    outputs: (graph?.output ?? []).map(summarizeValueInfo),
  };
}

/** Version of the default ONNX domain the model imports (0 if none). */
export function defaultOpsetOf(model: ModelProto): number {
  const entry = model.opsetImport.find((o) => o.domain === "" || o.domain === "ai.onnx");
  return entry ? Number(entry.version) : 0;
}

/** Name, element type and dims of one graph input/output. Non-tensor types read as `type` = their kind. */
function summarizeValueInfo(v: ValueInfoProto): TensorSummary {
  const t = v.type?.value;
  if (t?.case !== "tensorType") {
    return { name: v.name, type: t?.case ?? "unknown", shape: [] };
  }
  const shape = t.value.shape?.dim.map((d) => {
    if (d.value.case === "dimValue") return Number(d.value.value);
    if (d.value.case === "dimParam" && d.value.value !== "") return d.value.value;
    return null;
  });
  return { name: v.name, type: onnxTypeName(t.value.elemType), shape: shape ?? [] };
}
