/**
 * Building constant tensors (initializers) and reading small integer/float constants back out
 * of initializers or `Constant` nodes (int64 shapes for Reshape/Resize, etc.). Isomorphic.
 */
import { create } from "@bufbuild/protobuf";
import {
  TensorProto_DataLocation,
  TensorProto_DataType as DT,
  TensorProtoSchema,
  type GraphProto,
  type NodeProto,
  type TensorProto,
} from "onnx-buf";

/** A float32 tensor with raw little-endian data. */
export function floatTensor(name: string, values: ArrayLike<number>, dims: number[]): TensorProto {
  const data = new Float32Array(values.length);
  data.set(Array.from(values));
  return create(TensorProtoSchema, {
    name,
    dataType: DT.FLOAT,
    dims: dims.map(BigInt),
    rawData: new Uint8Array(data.buffer),
  });
}

/** A float64 (DOUBLE) tensor with raw little-endian data. */
export function doubleTensor(name: string, values: ArrayLike<number>, dims: number[]): TensorProto {
  const data = Float64Array.from(Array.from(values));
  return create(TensorProtoSchema, {
    name,
    dataType: DT.DOUBLE,
    dims: dims.map(BigInt),
    rawData: new Uint8Array(data.buffer),
  });
}

/** An int64 tensor with raw little-endian data. */
export function int64Tensor(name: string, values: ArrayLike<number>, dims: number[]): TensorProto {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]!);
  return create(TensorProtoSchema, {
    name,
    dataType: DT.INT64,
    dims: dims.map(BigInt),
    rawData: new Uint8Array(data.buffer),
  });
}

function isExternal(t: TensorProto): boolean {
  return t.dataLocation === TensorProto_DataLocation.EXTERNAL;
}

/** Values of an int64 or int32 tensor stored in the model (not external); undefined otherwise. */
export function readIntTensor(t: TensorProto): number[] | undefined {
  if (isExternal(t)) return undefined;
  if (t.dataType === DT.INT64) {
    if (t.rawData.length > 0) {
      const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
      const out: number[] = [];
      for (let i = 0; i + 8 <= t.rawData.byteLength; i += 8) out.push(Number(view.getBigInt64(i, true)));
      return out;
    }
    return t.int64Data.map(Number);
  }
  if (t.dataType === DT.INT32) {
    if (t.rawData.length > 0) {
      const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
      const out: number[] = [];
      for (let i = 0; i + 4 <= t.rawData.byteLength; i += 4) out.push(view.getInt32(i, true));
      return out;
    }
    return [...t.int32Data];
  }
  return undefined;
}

/** Replace the values of an int64/int32 tensor in place (keeps its type, name and dims). */
export function writeIntTensor(t: TensorProto, values: number[]): void {
  if (t.dataType === DT.INT64) {
    const data = new BigInt64Array(values.map(BigInt));
    t.rawData = new Uint8Array(data.buffer);
    t.int64Data = [];
  } else {
    const data = new Int32Array(values);
    t.rawData = new Uint8Array(data.buffer);
    t.int32Data = [];
  }
}

/** The constant tensor behind a tensor name: an initializer or the `value` of a `Constant` node. */
export function findConstant(graph: GraphProto, name: string): { tensor: TensorProto; initializer: boolean; node?: NodeProto } | undefined {
  const init = graph.initializer.find((t) => t.name === name);
  // an initializer that is also a graph input can be overridden at run time: not a constant
  if (init && !graph.input.some((v) => v.name === name)) return { tensor: init, initializer: true };
  const node = graph.node.find((n) => n.opType === "Constant" && n.domain === "" && n.output[0] === name);
  const value = node?.attribute.find((a) => a.name === "value")?.t;
  if (node && value) return { tensor: value, initializer: false, node };
  return undefined;
}
