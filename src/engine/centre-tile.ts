/**
 * One model-sized input tile cut from the centre of an image (reflect-padded when the image is
 * smaller), converted with exactly the engine's pixel rules (channel mapping, BGR order,
 * scaling): the image input of the numeric check (`validate --run --image`). The engine owns
 * it because it is the engine's tile building; validation only receives the finished tile.
 * Isomorphic; `./node/centre-tile.ts` opens image files.
 */
import type { ModelFile } from "../container/index.js";
import { invalidArgument } from "../errors.js";
import type { ImageSource } from "../io/types.js";
import { engineModelFromFile } from "./from-model-file.js";
import { fillTile, planModelInput } from "./pixels.js";
import { roiIndexMap, roiReadWindow, type Tile1D } from "./tiling.js";

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
  if (model.tile?.length !== 2) {
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
