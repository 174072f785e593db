/**
 * Maps a model file read by the container layer (`ModelFile`: CZANN or legacy metadata plus
 * the ONNX payload) onto the engine's `EngineModel`, per the rules documented on
 * `EngineModel` (types.ts): CZANN tiles from `InputShape`, border `MinOverlap / 2`, BGR
 * colour order, inputs scaled to [0, 1]; legacy tiles from the ONNX input (or
 * `TotalTileHeight/Width`), border `BorderSize`, channels from `PixelType`, raw intensities
 * unless `ScaleInputsByBitdepth` is true. Both carry the graph's per-image statistics
 * (`findImageStatistics`). Isomorphic.
 */
import type { ModelFile } from "../container/index.js";
import { invalidModel, unsupported } from "../errors.js";
import { classColors, PIXEL_TYPE_INFO } from "../metadata/index.js";
import { decodeModel, summarizeOnnx } from "../onnx/index.js";
import { findImageStatistics } from "../onnx/image-statistics.js";
import type { EngineModel } from "./types.js";

export interface EngineModelInfo {
  model: EngineModel;
  /** True when the file names no border (legacy without BorderSize, CZANN without MinOverlap): pass one explicitly. */
  borderMissing: boolean;
  warnings: string[];
}

export function engineModelFromFile(file: ModelFile, where = file.path ?? "model"): EngineModelInfo {
  if (file.payloadKind !== "onnx") {
    const what =
      file.payloadKind === "savedmodel"
        ? "a TensorFlow SavedModel"
        : file.payloadKind === "pickle"
          ? "a ZEN random-forest model (pickle)"
          : "not an ONNX model";
    throw unsupported(`the model is ${what}; prediction runs ONNX models only`, {
      where,
      allowed: "a .czann/.czmodel with an ONNX payload",
    });
  }
  const decoded = decodeModel(file.modelBytes);
  const summary = summarizeOnnx(decoded);
  const found = findImageStatistics(decoded);
  const imageStatistics = found.length ? { imageStatistics: found } : {};
  const input = summary.inputs[0];
  const output = summary.outputs[0];
  if (!input || !output || summary.inputs.length !== 1 || summary.outputs.length !== 1) {
    throw invalidModel(
      `the ONNX model has ${summary.inputs.length} inputs and ${summary.outputs.length} outputs; prediction needs exactly one of each`,
      { where },
    );
  }
  const warnings: string[] = [];
  if (file.format === "czann") {
    const m = file.metadata;
    const kind =
      m.type === "Regression" ? "regression" : /SemanticSegmentation|InstanceSegmentation/.test(m.type) ? "segmentation" : undefined;
    if (!kind)
      throw unsupported(`models of Type ${m.type} cannot be run as image-to-image predictions`, {
        where,
        allowed: "segmentation and Regression models",
      });
    const spatial = m.inputShape.slice(0, -1);
    const tile = (spatial.length === 3 ? [spatial[0], spatial[1], spatial[2]] : [spatial[0], spatial[1]]) as EngineModel["tile"];
    const overlap = m.minOverlap ?? [];
    const border = spatial.map((_, i) => Math.floor((overlap[i] ?? overlap[0] ?? 0) / 2)) as EngineModel["border"];
    if (!m.minOverlap) warnings.push("model.json has no MinOverlap: tiles get no context border unless --border is given");
    const names = m.classes ?? [];
    const colors = classColors(names.length);
    return {
      model: {
        name: m.modelName ?? "model",
        id: m.id,
        kind,
        onnx: file.modelBytes,
        tile,
        border,
        spatialDims: spatial.length === 3 ? 3 : 2,
        inputChannels: m.inputShape[m.inputShape.length - 1] ?? 1,
        ...(m.outputShape.length ? { outputChannels: m.outputShape[m.outputShape.length - 1] } : {}),
        ...(kind === "segmentation"
          ? { classes: names.map((name, i) => ({ name, color: colors[i] as [number, number, number], value: i + 1 })) }
          : {}),
        channelOrder: "bgr",
        scaleInputs: true,
        ...imageStatistics,
      },
      borderMissing: !m.minOverlap,
      warnings,
    };
  }
  const m = file.metadata;
  const [, h, w] = input.shape;
  const fixedTile = typeof h === "number" && h > 0 && typeof w === "number" && w > 0 ? ([h, w] as [number, number]) : undefined;
  const tile = fixedTile ?? m.tileSize ?? null;
  const channels = m.pixelTypes.reduce((n, p) => n + PIXEL_TYPE_INFO[p].samples, 0);
  const k = output.shape[3];
  if (m.borderSize === undefined) warnings.push("the XML has no BorderSize: pass --border (ZEN-made files may omit it)");
  return {
    model: {
      name: m.modelName,
      id: m.id,
      kind: "segmentation",
      onnx: file.modelBytes,
      tile,
      border: [m.borderSize ?? 0, m.borderSize ?? 0],
      spatialDims: 2,
      inputChannels: channels,
      ...(typeof k === "number" && k > 0 ? { outputChannels: k } : {}),
      classes: m.classes.map((c) => ({ name: c.name, color: [c.color[0], c.color[1], c.color[2]], value: c.labelValue })),
      channelOrder: "bgr",
      colorHandling: m.colorHandling === "ConvertToMonochrome" ? "convert-to-monochrome" : "split-rgb",
      scaleInputs: m.extraElement("ScaleInputsByBitdepth")?.trim().toLowerCase() === "true",
      ...imageStatistics,
    },
    borderMissing: m.borderSize === undefined,
    warnings,
  };
}
