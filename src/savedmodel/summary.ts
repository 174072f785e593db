/**
 * Reads the serving signature of a TensorFlow SavedModel (`saved_model.pb`): the meta graph
 * tagged `serve` (else the first), its `signature_def["serving_default"]`, and for each input
 * and output the TensorInfo name, dtype and static shape (-1 = dynamic → null).
 *
 * Schema subset decoded (TensorFlow `saved_model.proto`, `meta_graph.proto`, `tensor_shape.proto`,
 * `types.proto`), with the hand-written wire reader in `proto-reader.ts` since no npm package
 * ships TensorFlow's protos:
 *   SavedModel { int64 saved_model_schema_version = 1; repeated MetaGraphDef meta_graphs = 2 }
 *   MetaGraphDef { MetaInfoDef meta_info_def = 1; map<string, SignatureDef> signature_def = 5 }
 *   MetaInfoDef { repeated string tags = 4; string tensorflow_version = 5 }
 *   SignatureDef { map<string, TensorInfo> inputs = 1; outputs = 2; string method_name = 3 }
 *   TensorInfo { string name = 1; DataType dtype = 2; TensorShapeProto tensor_shape = 3 }
 *   TensorShapeProto { repeated Dim dim = 2; bool unknown_rank = 3 }  Dim { int64 size = 1; string name = 2 }
 * Isomorphic.
 */
import { invalidModel } from "../errors.js";
import type { TensorSummary } from "../onnx/tensor-types.js";
import { bytesOf, int64Of, mapEntry, ProtoDecodeError, readFields, stringOf } from "./proto-reader.js";

/** A signature input/output: `name` is the signature key, `tensorName` the graph tensor (`serving_default_input:0`). */
interface SavedModelTensor extends TensorSummary {
  tensorName: string;
}

export interface SavedModelSummary {
  /** Tags of the meta graph read (normally `["serve"]`). */
  tags: string[];
  /** Signature key read (`serving_default`). */
  signature: string;
  methodName: string;
  tensorflowVersion: string;
  inputs: SavedModelTensor[];
  outputs: SavedModelTensor[];
  /** Every signature key of that meta graph. */
  signatures: string[];
}

/** TensorFlow `DataType` enum → our type names. */
const TF_TYPES: Record<number, string> = {
  1: "float32",
  2: "float64",
  3: "int32",
  4: "uint8",
  5: "int16",
  6: "int8",
  7: "string",
  8: "complex64",
  9: "int64",
  10: "bool",
  11: "qint8",
  12: "quint8",
  13: "qint32",
  14: "bfloat16",
  15: "qint16",
  16: "quint16",
  17: "uint16",
  18: "complex128",
  19: "float16",
  20: "resource",
  21: "variant",
  22: "uint32",
  23: "uint64",
};

const SERVING_SIGNATURE = "serving_default";

/**
 * Inspect `saved_model.pb` bytes. Throws `INVALID_MODEL` (at `where`) when the bytes are not a
 * SavedModel or it has no `serving_default` signature.
 */
export function summarizeSavedModel(savedModelPb: Uint8Array, where = "saved_model.pb"): SavedModelSummary {
  try {
    return inspect(savedModelPb, where);
  } catch (e) {
    if (e instanceof ProtoDecodeError) {
      throw invalidModel(`not a TensorFlow SavedModel: malformed protobuf (${e.message})`, { where, cause: e });
    }
    throw e;
  }
}

interface MetaGraph {
  tags: string[];
  tensorflowVersion: string;
  signatures: Map<string, Uint8Array>;
}

function inspect(bytes: Uint8Array, where: string): SavedModelSummary {
  const metaGraphs: MetaGraph[] = [];
  for (const f of readFields(bytes)) {
    if (f.field === 2) metaGraphs.push(readMetaGraph(bytesOf(f)));
  }
  if (metaGraphs.length === 0) throw invalidModel("not a TensorFlow SavedModel: it holds no meta graph", { where });
  const meta = metaGraphs.find((m) => m.tags.includes("serve")) ?? metaGraphs[0]!;
  const sig = meta.signatures.get(SERVING_SIGNATURE);
  const keys = [...meta.signatures.keys()];
  if (!sig) {
    throw invalidModel(`the SavedModel has no "${SERVING_SIGNATURE}" signature`, {
      where,
      allowed: keys.length ? `signatures present: ${keys.join(", ")}` : "a SavedModel exported with a serving signature",
    });
  }
  const inputs: SavedModelTensor[] = [];
  const outputs: SavedModelTensor[] = [];
  let methodName = "";
  for (const f of readFields(sig)) {
    if (f.field === 1 || f.field === 2) {
      const { key, value } = mapEntry(f);
      (f.field === 1 ? inputs : outputs).push(readTensorInfo(key, value));
    } else if (f.field === 3) methodName = stringOf(f);
  }
  return {
    tags: meta.tags,
    signature: SERVING_SIGNATURE,
    methodName,
    tensorflowVersion: meta.tensorflowVersion,
    inputs,
    outputs,
    signatures: keys,
  };
}

function readMetaGraph(bytes: Uint8Array): MetaGraph {
  const mg: MetaGraph = { tags: [], tensorflowVersion: "", signatures: new Map() };
  for (const f of readFields(bytes)) {
    if (f.field === 1) {
      for (const g of readFields(bytesOf(f))) {
        if (g.field === 4) mg.tags.push(stringOf(g));
        else if (g.field === 5) mg.tensorflowVersion = stringOf(g);
      }
    } else if (f.field === 5) {
      const { key, value } = mapEntry(f);
      mg.signatures.set(key, value);
    }
  }
  return mg;
}

function readTensorInfo(key: string, bytes: Uint8Array): SavedModelTensor {
  let tensorName = "";
  let dtype = 0;
  let shape: (number | null)[] = [];
  for (const f of readFields(bytes)) {
    if (f.field === 1) tensorName = stringOf(f);
    else if (f.field === 2) dtype = int64Of(f);
    else if (f.field === 3) shape = readShape(bytesOf(f));
  }
  return { name: key, tensorName, type: TF_TYPES[dtype] ?? `unknown(${dtype})`, shape };
}

function readShape(bytes: Uint8Array): (number | null)[] {
  const dims: (number | null)[] = [];
  for (const f of readFields(bytes)) {
    if (f.field === 2) {
      let size = 0;
      for (const g of readFields(bytesOf(f))) if (g.field === 1) size = int64Of(g);
      dims.push(size < 0 ? null : size);
    }
  }
  return dims;
}
