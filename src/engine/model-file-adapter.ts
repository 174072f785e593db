/**
 * From a read model file (`ModelFile`, `src/container`) to what the engine runs
 * (`EngineModel`), by the rules in `EngineModel`'s doc (INFERENCE.md §1):
 * - CZANN: tile = `InputShape[0..-2]`, border = `MinOverlap / 2`, channels from the shapes,
 *   classes from `Classes` (czmodel's default colours), BGR order, inputs scaled to [0, 1].
 *   Only segmentation types and `Regression` can be run; the others are refused.
 * - legacy `.czmodel` / `.czseg`: tile = `TotalTileHeight/Width` when present, else what the
 *   ONNX input fixes (the engine reads it from the session); border = `BorderSize`; input
 *   channels from the `PixelType`s; `ColorHandling`; `ScaleInputsByBitdepth` (default true);
 *   classes with their colours and `LabelValue`s.
 * Only ONNX payloads can be run (a SavedModel must be converted first). Isomorphic.
 */
import type { ModelFile } from "../container/index.js";
import { unsupported } from "../errors.js";
import { PIXEL_TYPE_INFO } from "../metadata/index.js";
import type { EngineModel } from "./types.js";

function checkOnnx(file: ModelFile, where: string): void {
  if (file.payloadKind !== "onnx") {
    throw unsupported(`the model payload is ${file.payloadKind === "savedmodel" ? "a TensorFlow SavedModel" : `'${file.payloadKind}'`}, which cannot be run here`, {
      where,
      allowed: "an ONNX model (re-pack the model as ONNX with `czmodel pack`)",
    });
  }
}

/** The engine's description of a model file; `where` names the file in messages. */
export function engineModelFromFile(file: ModelFile, where = file.path ?? "model"): EngineModel {
  checkOnnx(file, where);
  if (file.format === "czann") {
    const m = file.metadata;
    const kind = m.type === "Regression" ? "regression" : m.isSegmentation ? "segmentation" : undefined;
    if (!kind) {
      throw unsupported(`model type ${m.type} cannot be run by the tiled engine`, {
        where: `${where}: model.json: Type`,
        allowed: "a segmentation type or Regression",
      });
    }
    const spatial = m.inputShape.slice(0, -1);
    const tile = spatial as [number, number] | [number, number, number];
    const border = (m.minOverlap ?? spatial.map(() => 0)).map((v) => Math.floor(v / 2)) as [number, number] | [number, number, number];
    return {
      name: m.modelName ?? "model",
      id: m.id,
      kind,
      onnx: file.modelBytes,
      tile,
      border,
      spatialDims: spatial.length as 2 | 3,
      inputChannels: m.inputShape[m.inputShape.length - 1]!,
      outputChannels: m.outputShape[m.outputShape.length - 1]!,
      ...(kind === "segmentation" && m.classes ? { classes: m.classes.map((name) => ({ name })) } : {}),
      channelOrder: "bgr",
      scaleInputs: true,
    };
  }
  const m = file.metadata;
  const scale = m.extraElement("ScaleInputsByBitdepth")?.trim().toLowerCase();
  const tile = m.tileSize ?? null;
  const border = m.borderSize ?? 0;
  return {
    name: m.modelName,
    id: m.id,
    kind: "segmentation",
    onnx: file.modelBytes,
    tile,
    border: [border, border],
    spatialDims: 2,
    inputChannels: m.pixelTypes.reduce((sum, p) => sum + PIXEL_TYPE_INFO[p].samples, 0),
    outputChannels: m.classes.length,
    classes: m.classes.map((c) => ({ name: c.name, color: [...c.color] as [number, number, number], value: c.labelValue })),
    channelOrder: "bgr",
    colorHandling: m.colorHandling === "ConvertToMonochrome" ? "convert-to-monochrome" : "split-rgb",
    scaleInputs: scale !== "false",
  };
}
