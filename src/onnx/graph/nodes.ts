/**
 * Node and value-info construction for graph edits: attributes of each kind, `makeNode`,
 * tensor-type value infos with fixed, symbolic or unknown dims. Isomorphic.
 */
import { create } from "@bufbuild/protobuf";
import {
  AttributeProto_AttributeType as AT,
  AttributeProtoSchema,
  NodeProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
  type AttributeProto,
  type NodeProto,
  type TensorShapeProto_Dimension,
  type ValueInfoProto,
} from "onnx-buf";

/** A dim as tracked by the editor: fixed size, symbolic name, or unknown. */
export type Dim = number | string | null;

export type AttrValue = { int: number } | { ints: number[] } | { float: number } | { floats: number[] } | { string: string };

function attribute(name: string, v: AttrValue): AttributeProto {
  if ("int" in v) return create(AttributeProtoSchema, { name, type: AT.INT, i: BigInt(v.int) });
  if ("ints" in v) return create(AttributeProtoSchema, { name, type: AT.INTS, ints: v.ints.map(BigInt) });
  if ("float" in v) return create(AttributeProtoSchema, { name, type: AT.FLOAT, f: v.float });
  if ("floats" in v) return create(AttributeProtoSchema, { name, type: AT.FLOATS, floats: v.floats });
  return create(AttributeProtoSchema, { name, type: AT.STRING, s: new TextEncoder().encode(v.string) });
}

export function makeNode(
  opType: string,
  inputs: string[],
  outputs: string[],
  name: string,
  attrs: Record<string, AttrValue> = {},
): NodeProto {
  return create(NodeProtoSchema, {
    opType,
    input: inputs,
    output: outputs,
    name,
    attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
  });
}

function makeDim(d: Dim): TensorShapeProto_Dimension {
  if (typeof d === "number") return create(TensorShapeProto_DimensionSchema, { value: { case: "dimValue", value: BigInt(d) } });
  if (typeof d === "string") return create(TensorShapeProto_DimensionSchema, { value: { case: "dimParam", value: d } });
  return create(TensorShapeProto_DimensionSchema, {});
}

export function makeTensorValueInfo(name: string, elemType: number, dims: Dim[], docString = ""): ValueInfoProto {
  return create(ValueInfoProtoSchema, {
    name,
    docString,
    type: create(TypeProtoSchema, {
      value: {
        case: "tensorType",
        value: create(TypeProto_TensorSchema, {
          elemType,
          shape: create(TensorShapeProtoSchema, { dim: dims.map(makeDim) }),
        }),
      },
    }),
  });
}

/** Element type and dims of a tensor value info (undefined for non-tensor or shapeless values). */
export function readTensorType(v: ValueInfoProto): { elemType: number; dims: Dim[] } | undefined {
  const t = v.type?.value;
  if (t?.case !== "tensorType" || !t.value.shape) return undefined;
  const dims = t.value.shape.dim.map((d): Dim => {
    if (d.value.case === "dimValue") return Number(d.value.value);
    if (d.value.case === "dimParam" && d.value.value) return d.value.value;
    return null;
  });
  return { elemType: t.value.elemType, dims };
}

/** Set the dims of a tensor value info in place, keeping each dimension's `denotation`. */
export function writeTensorDims(v: ValueInfoProto, dims: Dim[]): void {
  const t = v.type?.value;
  if (t?.case !== "tensorType") return;
  const old = t.value.shape?.dim ?? [];
  const next = dims.map((d, i) => {
    const dim = makeDim(d);
    dim.denotation = old[i]?.denotation ?? "";
    return dim;
  });
  t.value.shape = create(TensorShapeProtoSchema, { dim: next });
}
