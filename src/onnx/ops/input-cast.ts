/**
 * The input cast: the new model input takes uint8 or uint16 pixels and a `Cast` to float32 feeds
 * the rest (values keep their numbers: 255 stays 255.0; add `scale=…` to map them to [0, 1]).
 * Isomorphic.
 */
import { TensorProto_DataType as DT } from "onnx-buf";
import { invalidArgument } from "../../errors.js";
import type { OpContext, TensorState } from "./types.js";

export const INPUT_CAST_TYPES = { uint8: DT.UINT8, uint16: DT.UINT16 } as const;
export type InputCastType = keyof typeof INPUT_CAST_TYPES;

export function parseInputCast(text: string, where = "--input-cast"): InputCastType {
  if (text in INPUT_CAST_TYPES) return text as InputCastType;
  throw invalidArgument(`unknown input type "${text}"`, { where, allowed: Object.keys(INPUT_CAST_TYPES).join(", ") });
}

/** `x` is the new uint8/uint16 input; returns the float32 tensor. */
export function castToFloat(ctx: OpContext, x: TensorState): TensorState {
  return { ...x, name: ctx.builder.cast(x.name, DT.FLOAT), elemType: DT.FLOAT };
}
