/**
 * Shared parameter parsing and checks for operations. Syntax used by every op:
 * positional values after `=` separated by `/`; a per-channel value is a `:`-separated list
 * (`scale-linear=1:2:3/0:0:0.5`); numbers are decimal (`-0.5`, `1e-3`). Isomorphic.
 */
import { TensorProto_DataType as DT } from "onnx-buf";
import { invalidArgument } from "../../errors.js";
import type { GraphBuilder } from "../graph/builder.js";
import { onnxTypeName } from "../tensor-types.js";
import type { OpContext, TensorState } from "./types.js";

/** A scalar or one value per channel. */
export type PerChannel = number | number[];

export function parseNumber(text: string, where: string, what: string): number {
  const t = text.trim();
  const n = t === "" ? NaN : Number(t);
  if (!Number.isFinite(n)) {
    throw invalidArgument(`${what} "${text}" is not a number`, { where, allowed: "a finite decimal number such as 0.5, -2 or 1e-3" });
  }
  return n;
}

export function parsePerChannel(text: string, where: string, what: string): PerChannel {
  const parts = text.split(":");
  if (parts.length === 1) return parseNumber(text, where, what);
  return parts.map((p, i) => parseNumber(p, where, `${what}[${i}]`));
}

export function formatPerChannel(v: PerChannel): string {
  return typeof v === "number" ? String(v) : `[${v.join(", ")}]`;
}

/** Split `a/b/c`, checking the count is one of `counts`. */
export function splitParams(value: string, where: string, counts: number[], syntax: string): string[] {
  const parts = value.split("/");
  if (!counts.includes(parts.length)) {
    throw invalidArgument(`expected ${counts.join(" or ")} value(s) separated by "/", got ${parts.length}`, {
      where,
      allowed: syntax,
    });
  }
  return parts;
}

export function requireValue(value: string | undefined, where: string, syntax: string): string {
  if (value === undefined || value === "") throw invalidArgument("this operation needs a value", { where, allowed: syntax });
  return value;
}

export function requireNoValue(value: string | undefined, where: string, syntax: string): void {
  if (value !== undefined) throw invalidArgument(`this operation takes no value (got "=${value}")`, { where, allowed: syntax });
}

/** The channel count (last dim) if it is fixed. */
export function channelCount(x: TensorState): number | undefined {
  const c = x.dims[x.dims.length - 1];
  return typeof c === "number" ? c : undefined;
}

/** Fail when the channel count is fixed and not `n`; warn when it is unknown. */
export function requireChannels(ctx: OpContext, x: TensorState, n: number, why: string): void {
  const c = channelCount(x);
  if (c === undefined) {
    ctx.warn(`${ctx.where}: the channel count is not fixed in the model; it must be ${n} (${why})`);
  } else if (c !== n) {
    throw invalidArgument(`needs ${n} channels (${why}) but the tensor has ${c}`, { where: ctx.where });
  }
}

export function requireFloat(ctx: OpContext, x: TensorState): void {
  if (x.elemType !== DT.FLOAT) {
    throw invalidArgument(`operates on float32 tensors, but the tensor here is ${onnxTypeName(x.elemType)}`, {
      where: ctx.where,
      allowed: "float32 (add --input-cast before it for uint8/uint16 images)",
    });
  }
}

export function requireRank(ctx: OpContext, x: TensorState, min: number): void {
  if (x.dims.length < min) {
    throw invalidArgument(`needs a tensor of rank >= ${min} with channels last, but the tensor has rank ${x.dims.length}`, {
      where: ctx.where,
    });
  }
}

/** A constant that broadcasts over the channel (last) axis: a scalar, or a [C] vector. */
export function perChannelConst(ctx: OpContext, b: GraphBuilder, x: TensorState, v: PerChannel, hint: string): string {
  if (typeof v === "number") return b.scalar(v, hint);
  const c = channelCount(x);
  if (c === undefined) {
    ctx.warn(`${ctx.where}: the channel count is not fixed in the model; ${v.length} per-channel values assume ${v.length} channels`);
  } else if (c !== v.length) {
    throw invalidArgument(`has ${v.length} per-channel values for ${hint} but the tensor has ${c} channels`, {
      where: ctx.where,
      allowed: `one value, or ${c} values separated by ":"`,
    });
  }
  return b.constFloat(v, [v.length], hint);
}

/** Axes 1..rank-1 (everything but the batch): the per-image statistics axes. */
export function imageAxes(x: TensorState): number[] {
  return Array.from({ length: x.dims.length - 1 }, (_, i) => i + 1);
}
