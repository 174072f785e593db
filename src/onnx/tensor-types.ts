/**
 * Tensor element-type names shared by the ONNX and SavedModel inspectors (`float32`, `uint8` …)
 * and the `TensorSummary` record both return. Isomorphic.
 */
import { TensorProto_DataType as DT } from "onnx-buf";

/** One input or output: name, element type, and dims (number = fixed, string = symbolic, null = unknown). */
export interface TensorSummary {
  name: string;
  type: string;
  shape: (number | string | null)[];
}

const ONNX_TYPE_NAMES: Record<number, string> = {
  [DT.FLOAT]: "float32",
  [DT.UINT8]: "uint8",
  [DT.INT8]: "int8",
  [DT.UINT16]: "uint16",
  [DT.INT16]: "int16",
  [DT.INT32]: "int32",
  [DT.INT64]: "int64",
  [DT.STRING]: "string",
  [DT.BOOL]: "bool",
  [DT.FLOAT16]: "float16",
  [DT.DOUBLE]: "float64",
  [DT.UINT32]: "uint32",
  [DT.UINT64]: "uint64",
  [DT.COMPLEX64]: "complex64",
  [DT.COMPLEX128]: "complex128",
  [DT.BFLOAT16]: "bfloat16",
  [DT.FLOAT8E4M3FN]: "float8e4m3fn",
  [DT.FLOAT8E4M3FNUZ]: "float8e4m3fnuz",
  [DT.FLOAT8E5M2]: "float8e5m2",
  [DT.FLOAT8E5M2FNUZ]: "float8e5m2fnuz",
  [DT.UINT4]: "uint4",
  [DT.INT4]: "int4",
  [DT.FLOAT4E2M1]: "float4e2m1",
  [DT.FLOAT8E8M0]: "float8e8m0",
  [DT.UINT2]: "uint2",
  [DT.INT2]: "int2",
};

/** Name of an ONNX `TensorProto.DataType` value (`unknown(N)` for values this schema lacks). */
export function onnxTypeName(elemType: number): string {
  return ONNX_TYPE_NAMES[elemType] ?? (elemType === 0 ? "undefined" : `unknown(${elemType})`);
}
