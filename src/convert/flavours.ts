/**
 * Turning CZANN metadata into legacy metadata and back, for `--format` on `pack` / `convert`
 * (czmodel itself cannot do this):
 * - CZANN → legacy: BorderSize = MinOverlap / 2 (the larger if they differ), class names
 *   kept (colours generated as czmodel does), PixelType chosen from the input channel count
 *   unless given (1 → Gray16, 3 → Bgr24, 4 → Bgra32; a warning says so), ColorHandling
 *   SplitRgb (what czmodel samples carry) unless given.
 * - legacy → CZANN: Type SingleClassSemanticSegmentation for 2 classes, else
 *   MultiClassSemanticSegmentation; shapes from the model's fixed input/output dims;
 *   MinOverlap = 2 × BorderSize.
 * Isomorphic.
 */
import { invalidArgument } from "../errors.js";
import { LegacyModelMetadata, ModelMetadata, type ColorHandling, type PixelType } from "../metadata/index.js";
import type { TensorSummary } from "../onnx/index.js";

const DEFAULT_PIXEL_TYPE: Record<number, PixelType> = { 1: "Gray16", 3: "Bgr24", 4: "Bgra32" };

export interface LegacyChoices {
  pixelTypes?: PixelType[];
  colorHandling?: ColorHandling;
  borderSize?: number;
  /** Legacy model name (defaults to the CZANN ModelName, else czmodel's `DNN model`). */
  modelName?: string;
}

export function czannToLegacy(m: ModelMetadata, choices: LegacyChoices = {}, warnings: string[] = []): LegacyModelMetadata {
  if (!m.classes)
    throw invalidArgument(`a ${m.type} model has no Classes; the legacy format holds segmentation models only`, {
      where: "--format czmodel",
    });
  if (m.inputShape.length !== 3)
    throw invalidArgument("3-D models cannot be written as legacy .czmodel", { where: "--format czmodel", allowed: "czann" });
  const channels = m.inputShape[2] ?? 1;
  let pixelTypes = choices.pixelTypes;
  if (!pixelTypes) {
    const p = DEFAULT_PIXEL_TYPE[channels];
    if (!p)
      throw invalidArgument(`no default pixel type for a ${channels}-channel input`, {
        where: "--pixel-type",
        allowed: "give --pixel-type",
      });
    pixelTypes = [p];
    warnings.push(`PixelType ${p} chosen for a ${channels}-channel input; set --pixel-type to change it`);
  }
  const border = choices.borderSize ?? Math.max(0, ...(m.minOverlap ?? [0]).map((v) => v / 2));
  return LegacyModelMetadata.fromParams({
    id: m.id,
    modelName: choices.modelName ?? m.modelName ?? "DNN model",
    colorHandling: choices.colorHandling ?? "SplitRgb",
    pixelTypes,
    classes: m.classes,
    borderSize: border,
  });
}

export function legacyToCzann(m: LegacyModelMetadata, input: TensorSummary, output: TensorSummary): ModelMetadata {
  const fixed = (dims: (number | string | null)[], what: string): number[] =>
    dims.slice(1).map((d, i) => {
      if (typeof d !== "number" || d <= 0) {
        throw invalidArgument(`the model's ${what} dim ${i + 1} is dynamic; a .czann needs fixed shapes`, {
          where: "--format czann",
          allowed: "pack with --spatial-dims H,W",
        });
      }
      return d;
    });
  const classes = m.classNames;
  return ModelMetadata.fromParams({
    id: m.id,
    type: classes.length === 2 ? "SingleClassSemanticSegmentation" : "MultiClassSemanticSegmentation",
    inputShape: fixed(input.shape, "input"),
    outputShape: fixed(output.shape, "output"),
    ...(m.borderSize !== undefined ? { minOverlap: [2 * m.borderSize, 2 * m.borderSize] } : {}),
    classes,
    modelName: m.modelName,
  });
}
