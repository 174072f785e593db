/**
 * Inputs for a numeric check (`validate --run`): the numeric-validation metadata of a model
 * file, and one model-sized tile cut from the centre of an image (reflect-padded when the
 * image is smaller), converted with exactly the engine's pixel rules (channel mapping, BGR
 * order, scaling). Isomorphic; `./node/run-inputs.ts` opens image files.
 */
import type { ModelFile } from "../container/index.js";
import { engineModelFromFile } from "../engine/from-model-file.js";
import { fillTile, planModelInput } from "../engine/pixels.js";
import { roiIndexMap, roiReadWindow, type Tile1D } from "../engine/tiling.js";
import { invalidArgument } from "../errors.js";
import type { ImageSource } from "../io/types.js";
import type { NumericValidationMeta } from "../onnx/index.js";
import { inspectOnnx } from "../onnx/index.js";

/** Tile shape and expectations the numeric check needs. */
export function numericMetaFor(file: ModelFile): NumericValidationMeta {
  if (file.format === "czann") {
    const m = file.metadata;
    return { type: m.type, inputShape: [...m.inputShape], outputShape: [...m.outputShape], ...(m.classes ? { classes: [...m.classes] } : {}) };
  }
  const m = file.metadata;
  const { model } = engineModelFromFile(file);
  const tile = model.tile ?? [256, 256];
  const [output] = inspectOnnx(file.modelBytes).outputs;
  const k = output?.shape[3];
  return {
    inputShape: [...tile, model.inputChannels],
    ...(typeof k === "number" && k > 0 ? { outputShape: [...tile, k] } : {}),
    classes: m.classNames,
  };
}

/** The centred tile of `length` on an axis of `n` pixels (reflect-padded beyond the image). */
function centredTile(n: number, length: number): Tile1D {
  if (n >= length) {
    const start = Math.floor((n - length) / 2);
    return { start, end: start + length, left: 0, right: 0 };
  }
  const left = Math.floor((length - n) / 2);
  return { start: 0, end: n, left, right: length - n - left };
}

/** One input tile (NHWC float32) from the centre of plane 0 of `source`. */
export async function tileFromSource(file: ModelFile, source: ImageSource): Promise<Float32Array> {
  const { model } = engineModelFromFile(file);
  if (!model.tile || model.tile.length !== 2) {
    throw invalidArgument("--image works with 2-D models of fixed tile size", { where: "--image" });
  }
  const [th, tw] = model.tile;
  const info = source.info;
  const { mapping, scaling } = planModelInput(model, info);
  const yt = centredTile(info.height, th);
  const xt = centredTile(info.width, tw);
  const yw = roiReadWindow(yt, info.height);
  const xw = roiReadWindow(xt, info.width);
  const rect = { x: xw.start, y: yw.start, width: xw.end - xw.start, height: yw.end - yw.start };
  const planes = Array.from({ length: mapping.planesPerInput }, (_, c) => ({ scene: 0, t: 0, c, z: 0 }));
  const windows = [await Promise.all(planes.map((p) => source.readRegion(p, rect)))];
  const out = new Float32Array(th * tw * model.inputChannels);
  fillTile(
    out,
    0,
    {
      windows,
      readWidth: rect.width,
      samplesPerPixel: info.samplesPerPixel,
      zMap: new Int32Array([0]),
      rowMap: roiIndexMap(yt, info.height, yw.start),
      colMap: roiIndexMap(xt, info.width, xw.start),
    },
    mapping,
    scaling,
  );
  return out;
}
