/**
 * Reads the pixels of one tile from an `ImageSource` and writes them into the model's input
 * buffer. Only the part of the tile's ROI inside the image is read (one `readRegion` per
 * input plane); ROI pixels outside the image (image smaller than the tile) are filled by
 * numpy-`reflect` index mapping, in Z as well for 3-D models.
 */
import { invalidImage } from "../errors.js";
import type { ImageSource, SampleArray } from "../io/types.js";
import type { TileJob } from "./assembler.js";
import { fillTile, type ChannelMapping, type Scaling, type TileSamples } from "./pixels.js";
import type { Stack } from "./planes.js";
import { roiIndexMap, roiReadWindow, type TilePlan2D, type TilePlan3D } from "./tiling.js";

export class TileInputReader {
  constructor(
    private readonly source: ImageSource,
    private readonly plan: TilePlan2D | TilePlan3D,
    private readonly stacks: Stack[],
    private readonly mapping: ChannelMapping,
    private readonly scaling: Scaling,
  ) {}

  /** Read the sample windows a tile needs. */
  async read(job: TileJob): Promise<TileSamples> {
    const { plan, source } = this;
    const stack = this.stacks[job.stack]!;
    const yt = plan.ys[job.yi]!;
    const xt = plan.xs[job.xi]!;
    const yw = roiReadWindow(yt, plan.height);
    const xw = roiReadWindow(xt, plan.width);
    const rect = { x: xw.start, y: yw.start, width: xw.end - xw.start, height: yw.end - yw.start };
    const spp = source.info.samplesPerPixel;
    const expected = rect.width * rect.height * spp;

    let zPlanes: number[];
    let zMap: Int32Array;
    if ("zs" in plan) {
      const zt = plan.zs[job.zi]!;
      const zw = roiReadWindow(zt, plan.depth);
      zPlanes = Array.from({ length: zw.end - zw.start }, (_, i) => zw.start + i);
      zMap = roiIndexMap(zt, plan.depth, zw.start);
    } else {
      zPlanes = [0];
      zMap = new Int32Array([0]);
    }
    const windows: SampleArray[][] = await Promise.all(
      zPlanes.map((z) =>
        Promise.all(
          stack.inputs[z]!.map(async (plane) => {
            const data = await source.readRegion(plane, rect);
            if (data.length !== expected) {
              throw invalidImage(
                `reading ${rect.width}x${rect.height} at (${rect.x}, ${rect.y}) returned ${data.length} samples; expected ${expected}`,
                { where: source.info.format },
              );
            }
            return data;
          }),
        ),
      ),
    );
    return {
      windows,
      readWidth: rect.width,
      samplesPerPixel: spp,
      zMap,
      rowMap: roiIndexMap(yt, plan.height, yw.start),
      colMap: roiIndexMap(xt, plan.width, xw.start),
    };
  }

  /** Convert read samples into `out` at `offset` (NHWC / NDHWC float32). */
  fill(out: Float32Array, offset: number, samples: TileSamples): void {
    fillTile(out, offset, samples, this.mapping, this.scaling);
  }
}
