/**
 * `per-image-standardization` (czmodel `PerImageStandardization` = TensorFlow
 * `tf.image.per_image_standardization`): for each image of the batch, over all of H, W and C,
 *   out = (x - mean) / max(std, 1 / sqrt(N)),   N = H·W·C, std = population standard deviation.
 * N is computed at run time from the tensor's shape, so it stays right when the spatial size
 * changes. Statistics and division run in float64 (see per-image-stats.ts). Unlike czmodel's
 * layer, no implicit uint8 → [0, 1] conversion (use --input-cast and scale for that); the result
 * does not depend on such a scale except through the 1/sqrt(N) floor.
 * Isomorphic.
 */
import { TensorProto_DataType as DT } from "onnx-buf";
import { requireFloat, requireNoValue, requireRank } from "./params.js";
import { divideToFloat, perImageStats } from "./per-image-stats.js";
import type { OpDescriptor } from "./types.js";

const SYNTAX = "per-image-standardization";

export const perImageStandardization: OpDescriptor<null> = {
  name: "per-image-standardization",
  kind: "pre-or-post",
  syntax: SYNTAX,
  summary:
    "TensorFlow per-image standardization: (x - mean) / max(std, 1/sqrt(H*W*C)) over H, W, C of each image of the batch (each tile in ZEN), in float64",
  parse(value, where) {
    requireNoValue(value, where, SYNTAX);
    return null;
  },
  describe: () => "(x − mean) / max(std, 1/√N) per image over H, W, C",
  apply(ctx, x) {
    requireFloat(ctx, x);
    requireRank(ctx, x, 2);
    const b = ctx.builder;
    const { centered, std, axes } = perImageStats(ctx, x);
    const floor = b.op("Reciprocal", [b.op("Sqrt", [b.elementCount(x.name, axes, DT.DOUBLE)])]);
    return divideToFloat(ctx, x, centered, b.op("Max", [std, floor]));
  },
  usesImageStatistics: () => true,
};
